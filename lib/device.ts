// Devices: one per id and runtime; the factory for everything that lives on a device.
import { Event } from './event.js';
import { assertInternal, INTERNAL } from './internal.js';
import { DeviceBuffer, HostBuffer } from './memory.js';
import { Model, type ModelOptions, modelOptions } from './model.js';
import type { NativeDevice } from './native.js';
import type { Runtime } from './runtime.js';
import { Stream } from './stream.js';
import { booleanValue, nonEmptyString, optionsObject, positiveInteger, rangeError, typeError } from './validate.js';
import { type WaitOptions, waitAsync, waitSync } from './wait.js';
import { withCallerStack } from './errors.js';

/** `'faulted'` after a device-fatal error until `reset()`; `'closed'` after `close()`. */
export type DeviceState = 'ok' | 'faulted' | 'closed';

export interface AllocOptions {
  /** Take the memory from the device's caching pool (default false: one `aclrtMalloc`). */
  pooled?: boolean;
}

export interface EventOptions {
  /** Record timestamps, for `elapsedSince` (default true). */
  timing?: boolean;
}

function modelSource(model: unknown): string | Uint8Array {
  if (typeof model === 'string') return nonEmptyString(model, 'model');
  if (model instanceof Uint8Array) {
    if (model.byteLength === 0) throw rangeError('a non-empty Uint8Array', 'model', model);
    return model;
  }
  throw typeError('a file path or a Uint8Array', 'model', model);
}

/** One Ascend device (`aclrtSetDevice`). Obtained with `runtime.device(id)`. */
export class Device implements Disposable {
  readonly #native: NativeDevice;
  /** The runtime this device belongs to. */
  readonly runtime: Runtime;

  /** @internal */
  constructor(token: symbol, native: NativeDevice, runtime: Runtime) {
    assertInternal(token, 'Device');
    this.#native = native;
    this.runtime = runtime;
  }

  get id(): number {
    return this.#native.id;
  }

  get state(): DeviceState {
    return this.#native.state;
  }

  get isClosed(): boolean {
    return this.#native.isClosed;
  }

  /** Free and total device memory in bytes (`aclrtGetMemInfo`); total is the capacity. */
  memoryInfo(): { free: number; total: number } {
    return this.#native.memoryInfo();
  }

  /**
   * Allocate `bytes` of device memory (`aclrtMalloc`). With `{ pooled: true }` the memory comes
   * from the device's caching pool (and goes back to it on close), which skips the runtime's
   * slow allocation when a block of the size class is cached; `trimPool()` frees the cache.
   */
  alloc(bytes: number, options?: AllocOptions): DeviceBuffer {
    const size = positiveInteger(bytes, 'bytes');
    if (options === undefined) return new DeviceBuffer(INTERNAL, this.#native.alloc(size), this);
    const { pooled = false } = optionsObject<AllocOptions>(options, 'options');
    booleanValue(pooled, 'options.pooled');
    return new DeviceBuffer(INTERNAL, this.#native.alloc(size, pooled), this);
  }

  /** Allocate `bytes` of page-locked host memory (`aclrtMallocHost`). */
  allocHost(bytes: number): HostBuffer {
    const size = positiveInteger(bytes, 'bytes');
    return new HostBuffer(INTERNAL, this.#native.allocHost(size), this);
  }

  createStream(): Stream {
    return new Stream(INTERNAL, this.#native.createStream(), this);
  }

  createEvent(options?: EventOptions): Event {
    const opts = optionsObject<EventOptions>(options, 'options');
    const timing = opts.timing === undefined ? true : booleanValue(opts.timing, 'timing');
    return new Event(INTERNAL, this.#native.createEvent(timing), this);
  }

  /**
   * Load a model: a file path (`.om` on hardware; the simulator runs `.onnx`, and for an `.om`
   * path the `.onnx` of the same name beside it) or the model's bytes. Loading runs on a device
   * thread. `options` say how ATC compiled the model (dynamic-batch gears, I/O types).
   */
  loadModel(model: string | Uint8Array, options?: ModelOptions): Promise<Model> {
    const origin: { stack?: string } = {};
    Error.captureStackTrace(origin, this.loadModel);
    try {
      const source = modelSource(model);
      const { gears, inputTypes, outputTypes } = modelOptions(options);
      return this.#native.loadModel(source, gears, inputTypes, outputTypes).then(
        (native) => new Model(INTERNAL, native, this),
        (error: unknown) => Promise.reject(withCallerStack(error, origin)),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Load a model on the calling thread, blocking it. */
  loadModelSync(model: string | Uint8Array, options?: ModelOptions): Model {
    const source = modelSource(model);
    const { gears, inputTypes, outputTypes } = modelOptions(options);
    return new Model(INTERNAL, this.#native.loadModelSync(source, gears, inputTypes, outputTypes), this);
  }

  /** Resolve when all work on every stream of the device has completed. */
  synchronize(options?: WaitOptions): Promise<void> {
    return waitAsync(options, this.runtime.timeoutMs, (timeoutMs, token) => this.#native.synchronize(timeoutMs, token));
  }

  /** Block until all work on the device has completed. */
  synchronizeSync(options?: WaitOptions): void {
    waitSync(options, this.runtime.timeoutMs, (timeoutMs) => this.#native.synchronizeSync(timeoutMs));
  }

  /** Free the device memory the binding's caching pool holds for reuse. */
  trimPool(): void {
    this.#native.trimPool();
  }

  /**
   * Recover the device: close its streams, events and buffers in this runtime, reset it
   * (`aclrtResetDeviceForce` where the runtime has it, which affects every user of the device
   * in this process) and set it again. Clears `'faulted'`.
   */
  reset(): void {
    this.#native.reset();
  }

  /** Close everything on the device, then release it (`aclrtResetDevice`). Idempotent. */
  close(): void {
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
