// The models test/59-isa.test.ts runs under each instruction set: a CNN (convolutions with a
// batch norm and relu the executor fuses, a grouped convolution, pooling, a Gemm head) and a
// MatMul + Add + Relu, with fixed feeds.
import { type Feeds, randomFloats } from './reference.js';

export const isaCases: { model: string; feeds: Feeds }[] = [
  { model: 'cnn', feeds: { x: { type: 'float32', data: randomFloats(2 * 3 * 16 * 16, 11), dims: [2, 3, 16, 16] } } },
  { model: 'tiny', feeds: { x: { type: 'float32', data: randomFloats(256, 12), dims: [16, 16] } } },
];
