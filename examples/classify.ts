// Classify the held-out handwritten digits with the demo model (models/digits, trained by
// tools/train_digits.py) through an InferenceSession: one image at a time, as a service would,
// then the whole set in dynamic-batch gears.
//
//   npm run demo        (or: npx tsx examples/classify.ts)
import { readFileSync } from 'node:fs';
import { parse } from 'npyjs';
import * as acl from 'ascendcl';

const dir = new URL('../models/digits/', import.meta.url);
const npy = (name: string) => {
  const bytes = readFileSync(new URL(name, dir));
  return parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};
const images = npy('test_images.npy');
const labels = npy('test_labels.npy');
const [count, pixels] = images.shape as [number, number];
const imageData = images.data as Float32Array;
const labelData = labels.data as BigInt64Array;

const argmax = (values: Float32Array, offset: number, length: number) => {
  let best = offset;
  for (let i = offset + 1; i < offset + length; i++) if (values[i]! > values[best]!) best = i;
  return best - offset;
};

// device: 0 opens a runtime of the session's own: the NPU when one is usable, else the simulator.
const session = await acl.InferenceSession.create(new URL('model.onnx', dir).pathname, {
  device: 0,
  dynamicBatch: [1, 8, 32],
});
try {
  let correct = 0;
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const image = new acl.Tensor(imageData.subarray(i * pixels, (i + 1) * pixels), [1, pixels]);
    const started = performance.now();
    const { probabilities } = await session.run({ image });
    latencies.push(performance.now() - started);
    if (argmax(probabilities!.data as Float32Array, 0, 10) === Number(labelData[i])) correct++;
  }
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  console.log(`accuracy: ${(correct / count).toFixed(4)} (${correct} of ${count} held-out digits)`);
  console.log(`latency per image: p50 ${quantile(0.5).toFixed(3)} ms, p99 ${quantile(0.99).toFixed(3)} ms`);

  // The same images in batches of 32 (the largest gear); the tail runs in a smaller gear.
  let batched = 0;
  const started = performance.now();
  for (let start = 0; start < count; start += 32) {
    let size = Math.min(32, count - start);
    if (size < 32) size = size > 8 ? 32 : size > 1 ? 8 : 1;
    const batch = new Float32Array(size * pixels);
    batch.set(imageData.subarray(start * pixels, Math.min(count, start + size) * pixels));
    const { probabilities } = await session.run({ image: new acl.Tensor(batch, [size, pixels]) });
    const probs = probabilities!.data as Float32Array;
    for (let i = 0; i < size && start + i < count; i++) {
      if (argmax(probs, i * 10, 10) === Number(labelData[start + i])) batched++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`batched: accuracy ${(batched / count).toFixed(4)}, ${(count / seconds).toFixed(0)} images/s`);
} finally {
  await session.release();
}
