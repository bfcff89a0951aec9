// `ascendcl run <model>`: a benchmark of one model. Each of `--concurrency` workers has its own
// stream, model instance and buffers, and loops copy in → execute → copy out → synchronize, so
// the latency of one inference is what a caller waits for, copies included (as trtexec and
// ais_bench report it). Percentiles are over the timed iterations of every worker.
import { readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { parse as parseNpy } from 'npyjs';
import { dataTypes, type DataType, type TypedArray } from '../dtypes.js';
import type { Device } from '../device.js';
import type { Model, TensorInfo } from '../model.js';
import { InferenceSession } from '../session.js';
import { Tensor } from '../tensor.js';
import { dimsText, loadModel, type ModelCommandOptions, openRuntime } from './common.js';
import { summarize, type LatencySummary } from './stats.js';

export interface RunOptions extends ModelCommandOptions {
  input: string[];
  iterations: number;
  warmup: number;
  concurrency: number;
  batch?: number;
  trace?: string;
  print?: boolean;
}

export interface RunReport {
  model: string;
  backend: 'npu' | 'sim';
  device: number;
  batch: number;
  concurrency: number;
  iterations: number;
  warmup: number;
  latencyMs: LatencySummary;
  throughput: { inferencesPerSecond: number; samplesPerSecond: number };
  wallMs: number;
  inputs: { name: string; dims: number[]; dataType: DataType; source: string }[];
  outputs: { name: string; dims: number[]; dataType: DataType; values?: (number | string)[] }[];
  trace?: string;
}

const NPY_TYPES: Record<string, DataType> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  b1: 'bool',
};

interface Feed {
  info: TensorInfo;
  dims: number[];
  bytes: Uint8Array;
  source: string;
}

/** `name=file.npy` or `name=random`, each input at most once. */
function inputSpecs(specs: string[], inputs: readonly TensorInfo[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const spec of specs) {
    const at = spec.indexOf('=');
    if (at <= 0 || at === spec.length - 1) throw new RangeError(`expected name=file.npy or name=random for --input but received '${spec}'`);
    const name = spec.slice(0, at);
    if (!inputs.some((i) => i.name === name)) {
      throw new RangeError(`--input ${name}: the model has no input '${name}' (inputs: ${inputs.map((i) => i.name).join(', ')})`);
    }
    if (out.has(name)) throw new RangeError(`--input ${name} given twice`);
    out.set(name, spec.slice(at + 1));
  }
  return out;
}

function randomValues(type: DataType, count: number): TypedArray {
  const array = new dataTypes[type].array(count);
  for (let i = 0; i < count; i++) {
    const r = Math.random();
    if (array instanceof BigInt64Array || array instanceof BigUint64Array) array[i] = BigInt(Math.floor(r * 10));
    else if (type === 'float16' || type === 'bfloat16') array[i] = type === 'float16' ? 0x3800 : 0x3f00; // 0.5
    else if (type === 'bool') array[i] = r < 0.5 ? 0 : 1;
    else if (type.startsWith('float')) array[i] = r * 2 - 1;
    else array[i] = Math.floor(r * 100);
  }
  return array;
}

function fromNpy(file: string, info: TensorInfo): { dims: number[]; data: TypedArray } {
  const bytes = readFileSync(file);
  const npy = parseNpy(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), { convertFloat16: false });
  if (npy.fortranOrder) throw new RangeError(`${file}: Fortran-ordered arrays are not supported; save it in C order`);
  const type = NPY_TYPES[npy.dtype];
  if (type === undefined) throw new RangeError(`${file}: dtype ${npy.dtype} is not a tensor type AscendCL models take`);
  let data = npy.data as TypedArray;
  if (type !== info.dataType) {
    const numeric = (t: DataType) => !['float16', 'bfloat16', 'int64', 'uint64'].includes(t);
    if (!numeric(type) || !numeric(info.dataType)) {
      throw new RangeError(`${file}: holds ${type} but input '${info.name}' takes ${info.dataType}; save it as ${info.dataType}`);
    }
    data = (dataTypes[info.dataType].array as Float32ArrayConstructor).from(data as Float32Array);
  }
  return { dims: npy.shape, data };
}

/** The dims one input has at `batch`: -1 in the first dim is the batch; other -1 dims need an .npy. */
function dimsAt(info: TensorInfo, batch: number): number[] {
  return info.dims.map((d, i) => {
    if (d >= 0) return d;
    if (i === 0) return batch;
    throw new RangeError(`input '${info.name}' has dynamic dims ${dimsText(info.dims)}: give its data with --input ${info.name}=file.npy`);
  });
}

function feeds(model: Model, specs: Map<string, string>, batch: number): Feed[] {
  return model.inputs.map((info) => {
    const spec = specs.get(info.name) ?? 'random';
    let dims: number[];
    let data: TypedArray;
    if (spec === 'random') {
      dims = dimsAt(info, batch);
      data = randomValues(info.dataType, dims.reduce((a, b) => a * b, 1));
    } else {
      ({ dims, data } = fromNpy(spec, info));
      const expected = dimsAt(info, dims[0] ?? batch);
      if (dims.length !== expected.length || dims.some((d, i) => d !== expected[i])) {
        throw new RangeError(`${spec}: shape ${dimsText(dims)} does not fit input '${info.name}' ${dimsText(info.dims)}`);
      }
      if (model.dynamicBatch && dims[0] !== batch) {
        throw new RangeError(`${spec}: batch ${dims[0]} differs from --batch ${batch}`);
      }
    }
    return { info, dims, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), source: spec };
  });
}

/** One of `--concurrency` loops: runs one inference, and holds the outputs of its last one. */
interface Worker {
  once(): Promise<void>;
  /** The last outputs in model order: their dims when the run sized them, and their bytes. */
  results(): { dims?: number[]; bytes: Uint8Array }[];
  close(): Promise<void>;
}

/** Copy in → execute → copy out → synchronize on the worker's own stream and buffers. */
function bufferWorker(device: Device, model: Model, inputs: Feed[], batch: number | undefined): Worker {
  const stream = device.createStream();
  const hostIn = inputs.map((feed) => {
    const host = device.allocHost(feed.bytes.byteLength);
    host.bytes.set(feed.bytes);
    return host;
  });
  const deviceIn = inputs.map((feed) => device.alloc(feed.bytes.byteLength));
  const sizes = model.outputs.map(outputBytes);
  const deviceOut = sizes.map((n) => device.alloc(n));
  const hostOut = sizes.map((n) => device.allocHost(n));
  return {
    async once() {
      hostIn.forEach((host, i) => stream.copy(deviceIn[i]!, host));
      stream.execute(model, deviceIn, deviceOut, batch !== undefined ? { batch } : {});
      deviceOut.forEach((dev, i) => stream.copy(hostOut[i]!, dev));
      await stream.synchronize();
    },
    results: () => hostOut.map((host) => ({ bytes: host.bytes })),
    async close() {
      stream.close();
    },
  };
}

/** session.run with the feeds; the runtime sizes the outputs (dynamic-shape models). */
async function sessionWorker(device: Device, path: string, inputs: Feed[]): Promise<Worker> {
  const session = await InferenceSession.create(path, { device });
  const feedsByName: Record<string, Tensor> = {};
  for (const feed of inputs) {
    const { array, bytes } = dataTypes[feed.info.dataType];
    const data = new array(feed.bytes.buffer as ArrayBuffer, feed.bytes.byteOffset, feed.bytes.byteLength / bytes) as TypedArray;
    feedsByName[feed.info.name] = new Tensor(feed.info.dataType, data, feed.dims);
  }
  let last: Record<string, Tensor> = {};
  return {
    async once() {
      last = await session.run(feedsByName);
    },
    results: () =>
      session.outputNames.map((name) => {
        const tensor = last[name];
        if (!tensor) return { bytes: new Uint8Array(0) };
        const data = tensor.data as TypedArray;
        return { dims: [...tensor.dims], bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      }),
    close: () => session.release(),
  };
}

/** Output buffers hold the largest gear (byteSize), which fits every batch. */
function outputBytes(info: TensorInfo): number {
  if (info.byteSize > 0) return info.byteSize;
  throw new RangeError(
    `output '${info.name}' ${dimsText(info.dims)} has no known size (it depends on input values); run it through InferenceSession instead`,
  );
}

function typedView(type: DataType, bytes: Uint8Array, count: number): TypedArray {
  const copy = bytes.slice(0, count * dataTypes[type].bytes);
  return new dataTypes[type].array(copy.buffer, 0, count) as TypedArray;
}

export async function run(path: string, opts: RunOptions): Promise<void> {
  const rt = openRuntime(opts);
  try {
    const device = rt.device(opts.device);
    const first = await loadModel(rt, path, opts);
    const gears = first.dynamicBatch;
    const batch = opts.batch ?? (gears ? (gears.includes(1) ? 1 : gears[0]!) : 1);
    if (gears && !gears.includes(batch)) throw new RangeError(`--batch ${batch} is not a gear of the model (gears: ${gears.join(', ')})`);
    if (!gears && opts.batch !== undefined) {
      const fixed = first.inputs[0]?.dims[0];
      if (fixed !== undefined && fixed >= 0 && fixed !== opts.batch) {
        throw new RangeError(`--batch ${opts.batch}: the model has a fixed batch of ${fixed} and no dynamic-batch gears`);
      }
    }
    const inputs = feeds(first, inputSpecs(opts.input, first.inputs), batch);
    // Models with symbolic dims and no gears (the hardware's dynamic-shape mode) have outputs the
    // runtime sizes per run: those run through an InferenceSession per worker instead of fixed
    // device buffers, so the model loaded to read its description is not needed past here.
    const workers: Worker[] = [];
    if (!gears && first.outputs.some((info) => info.byteSize <= 0)) {
      first.close();
      for (let i = 0; i < opts.concurrency; i++) workers.push(await sessionWorker(device, path, inputs));
    } else {
      workers.push(bufferWorker(device, first, inputs, gears ? batch : undefined));
      for (let i = 1; i < opts.concurrency; i++) {
        workers.push(bufferWorker(device, await loadModel(rt, path, opts), inputs, gears ? batch : undefined));
      }
    }
    const once = (w: Worker) => w.once();

    for (let i = 0; i < opts.warmup; i++) await Promise.all(workers.map(once));

    const bar = process.stderr.isTTY
      ? new SingleBar({ format: 'running [{bar}] {value}/{total} inferences  {eta}s left', hideCursor: true, clearOnComplete: true })
      : null;
    bar?.start(opts.iterations, 0);
    if (opts.trace) rt.trace.start();
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      workers.map(async (w) => {
        while (next < opts.iterations) {
          next++;
          const t0 = performance.now();
          await once(w);
          latencies.push(performance.now() - t0);
          bar?.increment();
        }
      }),
    );
    const wallMs = performance.now() - started;
    bar?.stop();
    const trace = opts.trace ? rt.trace.stop() : null;
    if (trace && opts.trace) writeFileSync(opts.trace, JSON.stringify(trace));

    const worker = workers[0]!;
    const results = worker.results();
    const report: RunReport = {
      model: path,
      backend: rt.backend,
      device: opts.device,
      batch,
      concurrency: opts.concurrency,
      iterations: opts.iterations,
      warmup: opts.warmup,
      latencyMs: summarize(latencies),
      throughput: {
        inferencesPerSecond: (latencies.length * 1000) / wallMs,
        samplesPerSecond: (latencies.length * batch * 1000) / wallMs,
      },
      wallMs,
      inputs: inputs.map((f) => ({ name: f.info.name, dims: f.dims, dataType: f.info.dataType, source: f.source })),
      outputs: first.outputs.map((info, i) => {
        // A dynamic-batch model presents its outputs at the largest gear (as the hardware does).
        const largest = gears ? Math.max(...gears) : -1;
        const dims =
          results[i]?.dims ?? info.dims.map((d, axis) => (axis === 0 && (d < 0 || (gears && d === largest)) ? batch : d));
        const entry: RunReport['outputs'][number] = { name: info.name, dims, dataType: info.dataType };
        if (opts.print && dims.every((d) => d >= 0)) {
          const count = dims.reduce((a, b) => a * b, 1);
          const values = typedView(info.dataType, results[i]!.bytes, count);
          entry.values = Array.from(values as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : v));
        }
        return entry;
      }),
      ...(opts.trace ? { trace: opts.trace } : {}),
    };
    for (const w of workers) await w.close();
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  } finally {
    rt.close();
  }
}

function formatReport(r: RunReport): string {
  const ms = (n: number) => `${n.toFixed(3)} ms`;
  const lines = [
    `model: ${r.model} (${r.backend}, device ${r.device})`,
    `batch ${r.batch}, concurrency ${r.concurrency}, ${r.iterations} iterations after ${r.warmup} warm-up`,
    ...r.inputs.map((i) => `input  ${i.name} ${dimsText(i.dims)} ${i.dataType} (${i.source})`),
    `latency: min ${ms(r.latencyMs.min)}, mean ${ms(r.latencyMs.mean)}, p50 ${ms(r.latencyMs.p50)}, p90 ${ms(r.latencyMs.p90)}, p99 ${ms(r.latencyMs.p99)}, max ${ms(r.latencyMs.max)}`,
    `throughput: ${r.throughput.inferencesPerSecond.toFixed(1)} inferences/s, ${r.throughput.samplesPerSecond.toFixed(1)} samples/s (wall ${ms(r.wallMs)})`,
  ];
  for (const o of r.outputs) {
    lines.push(`output ${o.name} ${dimsText(o.dims)} ${o.dataType}`);
    if (o.values) lines.push(`  ${JSON.stringify(o.values)}`);
  }
  if (r.trace) lines.push(`trace: ${r.trace}`);
  return lines.join('\n');
}
