// Models: loaded from a file or bytes (.om on hardware; the simulator runs .onnx), described
// (inputs, outputs, dynamic-batch gears), and executed on device buffers.
import type { Device } from './device.js';
import { type DataType, isDataType } from './dtypes.js';
import { AclClosedError, AclError, withCallerStack } from './errors.js';
import { assertInternal } from './internal.js';
import { DeviceBuffer, nativeOfDeviceBuffer } from './memory.js';
import type { NativeDeviceBuffer, NativeModel, NativeTensorInfo } from './native.js';
import { describe, optionsObject, positiveInteger, rangeError, typeError } from './validate.js';
import { resolveWait, type WaitOptions } from './wait.js';
import { trackCreation } from './leaks.js';

/** How a compiled model presents itself (ATC options); checked against the .om on hardware. */
export interface ModelOptions {
  /** The batch sizes ATC compiled (dynamic batch gears). */
  dynamicBatch?: number[];
  /** Inputs ATC gave another type than the original model (float16, uint8). */
  inputTypes?: Record<string, DataType>;
  /** Outputs ATC gave another type (float16). */
  outputTypes?: Record<string, DataType>;
}

/** One input or output of a model. */
export interface TensorInfo {
  name: string;
  /** -1 marks a dim known only at run time (a dynamic batch or a symbolic dim). */
  dims: number[];
  dataType: DataType;
  format: 'NCHW' | 'NHWC' | 'ND' | 'NC1HWC0' | 'FRACTAL_Z' | 'FRACTAL_NZ' | 'NCDHW' | 'NDHWC' | 'UNDEFINED' | string;
  /** Bytes for the largest gear; 0 when unknown until run time. */
  byteSize: number;
}

export interface ExecuteOptions extends WaitOptions {
  /** Dynamic-batch models: the gear to run (default: the largest). */
  batch?: number;
}

/** The buffers of an execution: in model order, or by name. */
export type ModelBuffers = DeviceBuffer[] | Record<string, DeviceBuffer>;

/** @internal Validated model options in the form the addon takes. */
export interface NativeModelOptions {
  gears: number[] | undefined;
  inputTypes: [string, string][];
  outputTypes: [string, string][];
}

function typeMap(value: unknown, name: string): [string, string][] {
  if (value === undefined) return [];
  const map = optionsObject<Record<string, DataType>>(value, name);
  return Object.entries(map).map(([key, type]) => {
    if (!isDataType(type)) throw rangeError('a data type such as float16', `${name}.${key}`, type);
    return [key, type];
  });
}

/** @internal */
export function modelOptions(options: unknown): NativeModelOptions {
  const opts = optionsObject<ModelOptions>(options, 'options');
  let gears: number[] | undefined;
  if (opts.dynamicBatch !== undefined) {
    if (!Array.isArray(opts.dynamicBatch) || opts.dynamicBatch.length === 0) {
      throw typeError('a non-empty array of batch sizes', 'dynamicBatch', opts.dynamicBatch);
    }
    gears = opts.dynamicBatch.map((gear, i) => positiveInteger(gear, `dynamicBatch[${i}]`));
    gears = [...new Set(gears)].sort((a, b) => a - b);
    if (gears.length > 128) throw rangeError('at most 128 gears', 'dynamicBatch', opts.dynamicBatch);
  }
  return { gears, inputTypes: typeMap(opts.inputTypes, 'inputTypes'), outputTypes: typeMap(opts.outputTypes, 'outputTypes') };
}

function tensorInfo(info: NativeTensorInfo): TensorInfo {
  return Object.freeze({ ...info, dims: Object.freeze([...info.dims]) as number[], dataType: info.dataType as DataType });
}

let modelNative: (model: Model) => NativeModel;

/** @internal */
export function nativeOfModel(model: Model): NativeModel {
  return modelNative(model);
}

/** A loaded model (`aclmdlLoadFromFile`/`FromMem`). Created by `device.loadModel()`. */
export class Model implements Disposable {
  readonly #native: NativeModel;
  readonly device: Device;
  /** Inputs in model order (without the hidden ascend_mbatch_shape_data input, which the binding fills). */
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** The dynamic-batch gears, or null for a model without them. */
  readonly dynamicBatch: readonly number[] | null;
  // Executions run one at a time (AscendCL's rule for a model): each waits for the one before.
  #tail: Promise<unknown> = Promise.resolve();

  static {
    modelNative = (model) => model.#native;
  }

  /** @internal */
  constructor(token: symbol, native: NativeModel, device: Device) {
    assertInternal(token, 'Model');
    this.#native = native;
    this.device = device;
    const info = native.info();
    this.inputs = Object.freeze(info.inputs.map(tensorInfo));
    this.outputs = Object.freeze(info.outputs.map(tensorInfo));
    this.dynamicBatch = info.dynamicBatch ? Object.freeze([...info.dynamicBatch]) : null;
    trackCreation(this, () => `Model (${this.inputs.length} inputs, ${this.outputs.length} outputs) on device ${device.id}`);
  }

  get isClosed(): boolean {
    return this.#native.isClosed;
  }

  /** @internal Closed models fail before their arguments are looked at. */
  assertOpen(): void {
    if (this.#native.isClosed) throw new AclClosedError('Model');
  }

  /** @internal The batch to run: validated against the gears. */
  batchFor(batch: unknown): number {
    if (this.dynamicBatch === null) {
      if (batch !== undefined) throw rangeError('no batch (the model has no dynamic-batch gears)', 'batch', batch);
      return 0;
    }
    if (batch === undefined) return this.dynamicBatch[this.dynamicBatch.length - 1]!;
    const value = positiveInteger(batch, 'batch');
    if (!this.dynamicBatch.includes(value)) {
      throw rangeError(`one of the model's gears [${this.dynamicBatch.join(', ')}]`, 'batch', value);
    }
    return value;
  }

  /** @internal Buffers in model order. */
  buffersFor(buffers: unknown, infos: readonly TensorInfo[], what: 'inputs' | 'outputs'): NativeDeviceBuffer[] {
    const names = infos.map((info) => info.name);
    let list: unknown[];
    if (Array.isArray(buffers)) {
      if (buffers.length !== infos.length) {
        throw rangeError(`${infos.length} buffers (${names.join(', ')})`, what, buffers);
      }
      list = buffers;
    } else if (buffers !== null && typeof buffers === 'object') {
      const record = buffers as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!names.includes(key)) throw new TypeError(`unknown ${what.slice(0, -1)} '${key}': expected ${names.join(', ')}`);
      }
      list = names.map((name) => {
        if (!(name in record)) throw new TypeError(`missing ${what.slice(0, -1)} '${name}': expected ${names.join(', ')}`);
        return record[name];
      });
    } else {
      throw typeError('an array or a record of DeviceBuffers', what, buffers);
    }
    return list.map((buffer, i) => {
      if (!(buffer instanceof DeviceBuffer)) throw typeError('a DeviceBuffer', `${what}[${names[i]}]`, buffer);
      return nativeOfDeviceBuffer(buffer);
    });
  }

  /** @internal Run `task` after every execution queued before it; bounded by a timeout and a signal. */
  queued<T>(options: unknown, task: () => Promise<T>, api: string): Promise<T> {
    const origin: { stack?: string } = {};
    Error.captureStackTrace(origin, this.queued);
    let timeoutMs: number;
    let signal: AbortSignal | undefined;
    try {
      ({ timeoutMs, signal } = resolveWait(options, this.device.runtime.timeoutMs));
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => undefined);
    if (timeoutMs < 0 && !signal) return run.catch((error: unknown) => Promise.reject(withCallerStack(error, origin)));
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => finish(() => reject(signal!.reason));
      const finish = (settle: () => void) => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      if (timeoutMs >= 0) {
        // The execution itself cannot be interrupted: it finishes in the background and the
        // model stays usable (the next execution waits for it).
        timer = setTimeout(
          () =>
            finish(() =>
              reject(
                withCallerStack(
                  new AclError({
                    code: 545601,
                    api,
                    message: `the model did not finish within ${timeoutMs} ms; it is still usable`,
                    deviceId: this.device.id,
                  }),
                  origin,
                ),
              ),
            ),
          timeoutMs,
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      run.then(
        (value) => finish(() => resolve(value)),
        (error: unknown) => finish(() => reject(withCallerStack(error, origin))),
      );
    });
  }

  /**
   * Execute on device buffers (in model order, or by name) and resolve when the outputs are
   * written. Runs on a device thread; executions of one model queue.
   */
  execute(inputs: ModelBuffers, outputs: ModelBuffers, options?: ExecuteOptions): Promise<void> {
    let args: [NativeDeviceBuffer[], NativeDeviceBuffer[], number];
    try {
      this.assertOpen();
      const opts = optionsObject<ExecuteOptions>(options, 'options');
      args = [this.buffersFor(inputs, this.inputs, 'inputs'), this.buffersFor(outputs, this.outputs, 'outputs'), this.batchFor(opts.batch)];
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queued(options, () => this.#native.execute(...args), 'aclmdlExecute');
  }

  /** Execute on the calling thread, blocking it until the outputs are written. */
  executeSync(inputs: ModelBuffers, outputs: ModelBuffers, options?: { batch?: number }): void {
    this.assertOpen();
    const opts = optionsObject<ExecuteOptions>(options, 'options');
    this.#native.executeSync(
      this.buffersFor(inputs, this.inputs, 'inputs'),
      this.buffersFor(outputs, this.outputs, 'outputs'),
      this.batchFor(opts.batch),
    );
  }

  /** Unload (after queued stream executions complete). Idempotent. */
  close(): void {
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal */
  toString(): string {
    return `Model(${this.inputs.map((i) => i.name).join(', ')} → ${this.outputs.map((o) => o.name).join(', ')})`;
  }
}

/** @internal */
export function describeModel(value: unknown): string {
  return value instanceof Model ? value.toString() : describe(value);
}
