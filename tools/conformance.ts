// ONNX's own backend node tests, run through InferenceSession on the simulator.
//
//   npm run conformance [-- --filter conv] [--json] [--verbose]
//
// Needs Debian's libonnx-testdata (the tests) and python3-onnx (for onnx.proto, which
// protobufjs reads to decode the models and the .pb tensors). The eligible set is fixed by the
// model issue: every test under data/node whose nodes all use ops from the simulator's list in
// the default domain and whose inputs and outputs are plain tensors of the supported types —
// leaving out training-mode Dropout, bfloat16 and string casts, and cubic and
// tf_crop_and_resize Resize. Results are compared as ONNX's backend tests do:
// assert_allclose(rtol=1e-3, atol=1e-7), with exact types and shapes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import * as acl from 'ascendcl';

const DATA = '/usr/share/libonnx-testdata/data/node';
const PROTO = '/usr/lib/python3/dist-packages/onnx/onnx.proto';

export const OPS = new Set(
  `Add Sub Mul Div Pow Sqrt Exp Log Erf Neg Abs Reciprocal Min Max Sum Mean Floor Ceil Round Sin Cos
   Relu LeakyRelu Sigmoid Tanh HardSigmoid HardSwish Gelu Clip Softmax LogSoftmax MatMul Gemm Conv
   ConvTranspose MaxPool AveragePool GlobalAveragePool GlobalMaxPool BatchNormalization
   LayerNormalization InstanceNormalization Reshape Flatten Transpose Squeeze Unsqueeze Concat Split
   Slice Gather GatherElements ScatterND Expand Tile Pad Resize Trilu CumSum Shape Size Constant
   ConstantOfShape Range Identity Dropout Cast Where Equal Less Greater And Or Not ReduceMean
   ReduceSum ReduceMax ReduceMin ArgMax TopK QuantizeLinear DequantizeLinear`.split(/\s+/),
);

// TensorProto.DataType → our DataType. TYPES covers every type a test tensor may hold; the set
// is restricted to the issue's list (float32, int64, int32, int8, uint8, bool, float16, float64).
const TYPES: Record<number, acl.DataType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};
const ELIGIBLE_TYPES = new Set([1, 2, 3, 6, 7, 9, 10, 11]);

interface Attr { name: string; s?: Uint8Array; i?: number | { toNumber(): number } }
interface Node { opType: string; domain?: string; attribute?: Attr[] }
interface ValueInfo { name: string; type?: { tensorType?: { elemType?: number } } }
interface Graph { node: Node[]; input: ValueInfo[]; output: ValueInfo[]; initializer: { name: string }[] }
interface TensorMessage {
  dims: (number | { toNumber(): number })[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: (number | { toString(): string })[];
  doubleData?: number[];
  uint64Data?: (number | { toString(): string })[];
}

const num = (v: number | { toNumber(): number } | undefined) => (typeof v === 'object' ? v.toNumber() : (v ?? 0));
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString() : '');

/** Why a test is not in the set, or null when it is. */
export function ineligible(name: string, graph: Graph): string | null {
  for (const node of graph.node) {
    if (node.domain && node.domain !== 'ai.onnx') return `op ${node.domain}.${node.opType} is not in the default domain`;
    if (!OPS.has(node.opType)) return `op ${node.opType} is not in the list`;
    const attr = (key: string) => node.attribute?.find((a) => a.name === key);
    if (node.opType === 'Resize') {
      const mode = text(attr('mode')?.s) || 'nearest';
      if (mode === 'cubic') return 'cubic Resize is out of scope';
      if (text(attr('coordinate_transformation_mode')?.s) === 'tf_crop_and_resize') {
        return 'tf_crop_and_resize Resize is out of scope';
      }
    }
    if (node.opType === 'Cast') {
      const to = num(attr('to')?.i);
      if (to === 16 || to === 8) return 'bfloat16 and string casts are out of scope';
    }
  }
  // Training-mode Dropout is random: its reference outputs cannot be matched.
  if (name.includes('training_dropout')) return 'training-mode Dropout is out of scope';
  const initializers = new Set(graph.initializer.map((i) => i.name));
  for (const value of [...graph.input.filter((i) => !initializers.has(i.name)), ...graph.output]) {
    const elem = value.type?.tensorType?.elemType;
    if (elem === undefined) return `${value.name} is not a plain tensor`;
    if (!ELIGIBLE_TYPES.has(elem)) return `${value.name} has element type ${elem}, not one of the issue's types`;
  }
  return null;
}

function tensorData(t: TensorMessage): acl.TypedArray {
  const type = TYPES[t.dataType];
  if (!type) throw new Error(`tensor type ${t.dataType}`);
  const Array = acl.dataTypes[type].array;
  const count = t.dims.reduce<number>((a, d) => a * num(d), 1);
  if (t.rawData && t.rawData.byteLength > 0) {
    const copy = new Uint8Array(t.rawData); // aligned copy
    return new Array(copy.buffer, 0, count);
  }
  switch (type) {
    case 'float32': return Float32Array.from(t.floatData ?? []);
    case 'float64': return Float64Array.from(t.doubleData ?? []);
    case 'int64': return BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(v.toString())));
    case 'uint64': return BigUint64Array.from((t.uint64Data ?? []).map((v) => BigInt(v.toString())));
    case 'uint32': return Uint32Array.from((t.uint64Data ?? []).map((v) => Number(v.toString())));
    default: return (Array as unknown as { from(values: number[]): acl.TypedArray }).from(t.int32Data ?? []);
  }
}

function close(type: acl.DataType, ours: acl.TypedArray, theirs: acl.TypedArray): string | null {
  if (ours.length !== theirs.length) return `length ${ours.length} vs ${theirs.length}`;
  const toNumbers = (a: acl.TypedArray) =>
    type === 'float16' ? Array.from(acl.float16.toFloat32(a as Uint16Array)) : Array.from(a as ArrayLike<number>, Number);
  const a = toNumbers(ours);
  const b = toNumbers(theirs);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= 1e-7 + 1e-3 * Math.abs(y))) return `element ${i}: ${x} vs ${y}`;
  }
  return null;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : undefined;
  const json = args.includes('--json');
  const verbose = args.includes('--verbose');
  if (!existsSync(DATA) || !existsSync(PROTO)) {
    console.error(`conformance needs ${DATA} (apt-get install libonnx-testdata) and ${PROTO} (python3-onnx)`);
    process.exit(2);
  }
  const root = await protobuf.load(PROTO);
  const ModelProto = root.lookupType('onnx.ModelProto');
  const TensorProto = root.lookupType('onnx.TensorProto');
  // arrays: true gives empty arrays for absent repeated fields (an initializer-free graph).
  const decode = <T>(type: protobuf.Type, bytes: Buffer) => type.toObject(type.decode(bytes), { arrays: true }) as T;

  const rt = acl.open({ backend: 'sim' });
  const device = rt.device(0);
  const results: { name: string; status: 'pass' | 'fail' | 'skip'; reason?: string }[] = [];
  for (const name of readdirSync(DATA).sort()) {
    if (filter && !name.includes(filter)) continue;
    const dir = join(DATA, name);
    const model = decode<{ graph: Graph }>(ModelProto, readFileSync(join(dir, 'model.onnx')));
    const why = ineligible(name, model.graph);
    if (why) {
      results.push({ name, status: 'skip', reason: why });
      continue;
    }
    let failure: string | null = null;
    try {
      const session = await acl.InferenceSession.create(join(dir, 'model.onnx'), { device });
      try {
        for (const set of readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort()) {
          const read = (prefix: string) =>
            readdirSync(join(dir, set))
              .filter((f) => f.startsWith(prefix))
              .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
              .map((f) => decode<TensorMessage>(TensorProto, readFileSync(join(dir, set, f))));
          const inputs = read('input_');
          const expected = read('output_');
          const feeds: Record<string, acl.Tensor> = {};
          session.inputNames.forEach((inputName, i) => {
            const t = inputs[i]!;
            feeds[inputName] = new acl.Tensor(TYPES[t.dataType]!, tensorData(t), t.dims.map(num));
          });
          const outputs = await session.run(feeds);
          session.outputNames.forEach((outputName, i) => {
            if (failure) return;
            const want = expected[i]!;
            const got = outputs[outputName]!;
            const wantType = TYPES[want.dataType]!;
            const wantDims = want.dims.map(num);
            if (got.type !== wantType) failure = `${outputName}: type ${got.type}, expected ${wantType}`;
            else if (got.dims.join() !== wantDims.join()) failure = `${outputName}: dims [${got.dims}], expected [${wantDims}]`;
            else {
              const mismatch = close(got.type, got.data, tensorData(want));
              if (mismatch) failure = `${outputName}: ${mismatch}`;
            }
          });
          if (failure) break;
        }
      } finally {
        session.close();
      }
    } catch (error) {
      failure = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
    }
    results.push(failure ? { name, status: 'fail', reason: failure } : { name, status: 'pass' });
  }
  rt.close();

  const eligible = results.filter((r) => r.status !== 'skip');
  const passed = eligible.filter((r) => r.status === 'pass').length;
  const rate = eligible.length ? (100 * passed) / eligible.length : 0;
  if (json) {
    console.log(JSON.stringify({ eligible: eligible.length, passed, failed: eligible.length - passed, rate, results }, null, 2));
  } else {
    for (const r of results) {
      if (r.status === 'fail') console.log(`FAIL ${r.name}: ${r.reason}`);
      else if (verbose) console.log(`${r.status === 'pass' ? 'pass' : 'skip'} ${r.name}${r.reason ? `: ${r.reason}` : ''}`);
    }
    console.log(
      `eligible ${eligible.length} of ${results.length} node tests; passed ${passed}, failed ${eligible.length - passed} (${rate.toFixed(1)}%)`,
    );
  }
  process.exitCode = rate >= 95 ? 0 : 1;
}

await main();
