// InferenceSession: one object per model, typed arrays in, typed arrays out — what most services
// want, shaped like onnxruntime-node's session. Feeds are copied to device memory the model keeps
// between runs, the model runs on a device thread, and results come back as Tensors (or stay on
// the device with outputLocation: 'device', so models chain without host round trips).
import { Device } from './device.js';
import type { DataType } from './dtypes.js';
import { AclClosedError } from './errors.js';
import { float16 } from './float16.js';
import { assertInternal, INTERNAL } from './internal.js';
import { DeviceBuffer, nativeOfDeviceBuffer } from './memory.js';
import { Model, type ModelOptions, type TensorInfo, nativeOfModel } from './model.js';
import type { NativeDeviceBuffer, NativeFeed, NativeModel, NativeResult } from './native.js';
import { type Backend, open, type Runtime, type SimOptions } from './runtime.js';
import { Tensor, typedArrayOf } from './tensor.js';
import { describe, integerInRange, optionsObject, rangeError, typeError } from './validate.js';
import type { WaitOptions } from './wait.js';

export interface SessionOptions extends ModelOptions {
  /** A Device, or a device id (default 0) of a private runtime opened with `backend`/`sim`. */
  device?: Device | number;
  backend?: Backend;
  sim?: SimOptions;
}

export interface RunOptions extends WaitOptions {
  /** Output names to return (default: all). */
  fetches?: string[];
  /** 'cpu' (default): outputs are copied back; 'device': they stay in device memory. */
  outputLocation?: 'cpu' | 'device';
}

export type Feeds = Record<string, Tensor>;

interface PreparedRun {
  feeds: NativeFeed[];
  outputs: ('cpu' | 'device' | 'none')[];
  batch: number;
}

/** A model behind one object: `await InferenceSession.create('net.onnx')`, then `run(feeds)`. */
export class InferenceSession implements AsyncDisposable, Disposable {
  readonly #model: Model;
  readonly #native: NativeModel;
  readonly #privateRuntime: Runtime | undefined;
  readonly #runtime: Runtime;
  #closed = false;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly TensorInfo[];
  readonly outputMetadata: readonly TensorInfo[];

  /** @internal */
  constructor(token: symbol, model: Model, privateRuntime: Runtime | undefined) {
    assertInternal(token, 'InferenceSession');
    this.#model = model;
    this.#native = nativeOfModel(model);
    this.#privateRuntime = privateRuntime;
    this.#runtime = model.device.runtime;
    this.#runtime.sessionCount++;
    this.inputMetadata = model.inputs;
    this.outputMetadata = model.outputs;
    this.inputNames = Object.freeze(model.inputs.map((i) => i.name));
    this.outputNames = Object.freeze(model.outputs.map((o) => o.name));
  }

  /**
   * Load `model` (a path or bytes) on `options.device` (a Device, or an id of a private runtime
   * that `release()` closes) with the given compile options.
   */
  static async create(model: string | Uint8Array, options?: SessionOptions): Promise<InferenceSession> {
    const opts = optionsObject<SessionOptions>(options, 'options');
    const { device: where = 0, backend, sim, ...modelOptions } = opts;
    let device: Device;
    let privateRuntime: Runtime | undefined;
    if (where instanceof Device) {
      if (backend !== undefined || sim !== undefined) {
        throw new TypeError('backend and sim apply only when device is an id (a private runtime); this Device has its runtime');
      }
      device = where;
    } else if (typeof where === 'number') {
      privateRuntime = open({ ...(backend ? { backend } : {}), ...(sim ? { sim } : {}) });
      try {
        device = privateRuntime.device(integerInRange(where, 'device', 0, Math.max(0, privateRuntime.deviceCount - 1)));
      } catch (error) {
        privateRuntime.close();
        throw error;
      }
    } else {
      throw typeError('a Device or a device id', 'device', where);
    }
    try {
      const loaded = await device.loadModel(model, modelOptions);
      return new InferenceSession(INTERNAL, loaded, privateRuntime);
    } catch (error) {
      privateRuntime?.close();
      throw error;
    }
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** The model behind the session. */
  get model(): Model {
    return this.#model;
  }

  #prepare(feeds: unknown, options: RunOptions): PreparedRun {
    if (this.#closed) throw this.#closedError();
    if (feeds === null || typeof feeds !== 'object' || Array.isArray(feeds)) {
      throw typeError(`an object of Tensors named ${this.inputNames.join(', ')}`, 'feeds', feeds);
    }
    const record = feeds as Record<string, unknown>;
    for (const name of Object.keys(record)) {
      if (!this.inputNames.includes(name)) {
        throw new TypeError(`unknown feed '${name}': the model's inputs are ${this.inputNames.join(', ')}`);
      }
    }
    const gears = this.#model.dynamicBatch;
    let batch: number | undefined;
    const prepared = this.inputMetadata.map((info): NativeFeed => {
      const tensor = record[info.name];
      if (tensor === undefined) {
        throw new TypeError(`missing feed '${info.name}': the model's inputs are ${this.inputNames.join(', ')}`);
      }
      if (!(tensor instanceof Tensor)) throw typeError('a Tensor', `feeds.${info.name}`, tensor);
      const dims = this.#checkDims(info, tensor);
      if (gears) {
        const first = tensor.dims[0]!;
        if (batch !== undefined && first !== batch) {
          throw new RangeError(`expected every feed to have the same batch (first dim ${batch}) but '${info.name}' has ${first}`);
        }
        batch = first;
      }
      const data = this.#feedData(info, tensor);
      const dynamic = info.dims.some((dim, i) => dim < 0 && !(gears && i === 0));
      return [data, dynamic ? dims : null];
    });
    if (gears && batch !== undefined && !gears.includes(batch)) {
      throw rangeError(`a batch that is one of the model's gears [${gears.join(', ')}]`, 'batch (the first dim of the feeds)', batch);
    }
    const fetches = options.fetches;
    if (fetches !== undefined) {
      if (!Array.isArray(fetches)) throw typeError('an array of output names', 'fetches', fetches);
      for (const name of fetches) {
        if (!this.outputNames.includes(name)) {
          throw new TypeError(`unknown fetch ${describe(name)}: the model's outputs are ${this.outputNames.join(', ')}`);
        }
      }
    }
    const location = options.outputLocation ?? 'cpu';
    if (location !== 'cpu' && location !== 'device') throw rangeError("'cpu' or 'device'", 'outputLocation', location);
    const outputs = this.outputNames.map((name) => (fetches && !fetches.includes(name) ? 'none' : location));
    return { feeds: prepared, outputs, batch: gears ? (batch ?? gears[gears.length - 1]!) : 0 };
  }

  #checkDims(info: TensorInfo, tensor: Tensor): number[] {
    const expected = info.dims;
    const given = tensor.dims;
    const fits = given.length === expected.length && expected.every((dim, i) => dim < 0 || dim === given[i]);
    if (!fits) {
      const shown = expected.map((dim) => (dim < 0 ? '?' : String(dim))).join(', ');
      throw new RangeError(`expected dims [${shown}] for input '${info.name}' but received [${given.join(', ')}]`);
    }
    return [...given];
  }

  #feedData(info: TensorInfo, tensor: Tensor): ArrayBufferView | NativeDeviceBuffer {
    let type: DataType = tensor.type;
    if (type !== info.dataType) {
      // A float32 feed for a float16 input (what ATC makes of float32 models) is converted here.
      if (info.dataType === 'float16' && type === 'float32' && tensor.location === 'cpu') {
        return float16.fromFloat32(tensor.data as Float32Array);
      }
      throw new TypeError(`expected a ${info.dataType} tensor for input '${info.name}' but received ${type}`);
    }
    const buffer = tensor.deviceBuffer;
    if (buffer) {
      if (buffer.device !== this.#model.device) {
        throw new TypeError(`feed '${info.name}' is on device ${buffer.device.id}, the model on device ${this.#model.device.id}`);
      }
      return nativeOfDeviceBuffer(buffer);
    }
    return tensor.data;
  }

  #results(results: NativeResult[], outputs: PreparedRun['outputs']): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    results.forEach(([dims, data], j) => {
      if (outputs[j] === 'none') return;
      const info = this.outputMetadata[j]!;
      const type = info.dataType;
      if (data instanceof ArrayBuffer) {
        out[info.name] = new Tensor(type, typedArrayOf(type, data), dims);
      } else if (data !== null) {
        out[info.name] = new Tensor(type, new DeviceBuffer(INTERNAL, data, this.#model.device), dims);
      }
    });
    return out;
  }

  #closedError(): Error {
    return new AclClosedError('InferenceSession');
  }

  /**
   * Run the model on `feeds` (by input name) and resolve with the outputs by name. Runs on a
   * device thread; concurrent calls are safe (they queue on the model).
   */
  run(feeds: Feeds, options?: RunOptions): Promise<Record<string, Tensor>> {
    let prepared: PreparedRun;
    try {
      prepared = this.#prepare(feeds, optionsObject<RunOptions>(options, 'options'));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#model.queued(
      options,
      () => this.#native.run(prepared.feeds, prepared.outputs, prepared.batch).then((r) => this.#results(r, prepared.outputs)),
      'aclmdlExecute',
    );
  }

  /** Run on the calling thread, blocking it: for tiny models in hot loops. */
  runSync(feeds: Feeds, options?: Omit<RunOptions, 'signal' | 'timeoutMs'>): Record<string, Tensor> {
    const prepared = this.#prepare(feeds, optionsObject<RunOptions>(options, 'options'));
    return this.#results(this.#native.runSync(prepared.feeds, prepared.outputs, prepared.batch), prepared.outputs);
  }

  /** Close after the runs in flight settle; closes the private runtime, if any. */
  async release(): Promise<void> {
    if (this.#closed) return;
    await this.#model.queued({ timeoutMs: -1 }, async () => undefined, 'release').catch(() => undefined);
    this.close();
  }

  /** Close now: unload the model (after its queued work), close the private runtime. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#runtime.sessionCount--;
    this.#model.close();
    this.#privateRuntime?.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
