// Streams: ordered queues of device work. Enqueueing is synchronous and cheap; waiting is a
// Promise (or a blocking *Sync twin for scripts).
import type { Device } from './device.js';
import { Event, nativeOfEvent } from './event.js';
import { assertInternal } from './internal.js';
import { DeviceBuffer, HostBuffer, nativeOfDeviceBuffer, nativeOfHostBuffer } from './memory.js';
import { Model, type ModelBuffers, nativeOfModel } from './model.js';
import type { NativeOperand, NativeStream } from './native.js';
import {
  integerInRange,
  isArrayBufferView,
  optionsObject,
  positiveInteger,
  rangeError,
  timeoutValue,
  typeError,
} from './validate.js';
import { type WaitOptions, waitAsync, waitSync } from './wait.js';
import { trackCreation } from './leaks.js';

/** What a stream copy reads or writes: device memory, pinned host memory, or a plain view. */
export type CopyOperand = DeviceBuffer | HostBuffer | ArrayBufferView;

function operand(value: unknown, name: string): [NativeOperand, number] {
  if (value instanceof DeviceBuffer) return [nativeOfDeviceBuffer(value), value.byteLength];
  if (value instanceof HostBuffer) return [nativeOfHostBuffer(value), value.byteLength];
  if (isArrayBufferView(value)) return [value, value.byteLength];
  throw typeError('a DeviceBuffer, HostBuffer or ArrayBufferView', name, value);
}

function byteCount(value: unknown, fallback: number, limits: [string, number][]): number {
  const bytes = value === undefined ? fallback : value;
  if (value === undefined && bytes === 0) throw rangeError('a positive integer', 'bytes', 0);
  const count = positiveInteger(bytes, 'bytes');
  for (const [name, size] of limits) {
    if (count > size) throw rangeError(`at most ${size} (the byte length of ${name})`, 'bytes', count);
  }
  return count;
}

/**
 * Runs a host function handed over by the addon on the JS thread, waits for a returned Promise,
 * and tells the stream it may go on. An error goes to the stream's next synchronize.
 * @internal
 */
export function invokeHostFunc(fn: () => unknown, stream: NativeStream, id: number): void {
  const fail = (error: unknown) =>
    stream.hostFuncDone(id, error === undefined ? new Error('a host function failed with undefined') : error);
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    fail(error);
    return;
  }
  if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
    (result as PromiseLike<unknown>).then(() => stream.hostFuncDone(id), fail);
  } else {
    stream.hostFuncDone(id);
  }
}

/** Options of `stream.wait()`. */
export interface StreamWaitOptions {
  /**
   * Limit the device-side wait (`aclrtStreamWaitEventWithTimeout`): if the event has not
   * completed after this many ms, the stream goes on and its next synchronize rejects with
   * AclError 507047. Needs a runtime that has that function.
   */
  timeoutMs?: number;
}

/** An ordered queue of device work (`aclrtCreateStream`). Created by `device.createStream()`. */
export class Stream implements Disposable {
  readonly #native: NativeStream;
  readonly device: Device;
  // Launch-blocking mode: host functions whose Promise has not settled (the stream waits for
  // them, so later operations cannot be made synchronous until they settle).
  #pendingAsyncHostFuncs = 0;

  /** @internal */
  constructor(token: symbol, native: NativeStream, device: Device) {
    assertInternal(token, 'Stream');
    this.#native = native;
    this.device = device;
    device.runtime.trace.register(this, native.traceId, device.id);
    trackCreation(this, () => `Stream on device ${device.id}`);
  }

  /** Enqueues one operation, bracketed by timing events when an events trace is running. */
  #enqueue(name: string, args: Record<string, unknown>, enqueue: () => void): void {
    this.device.runtime.trace.around(this, name, args, enqueue);
  }

  get isClosed(): boolean {
    return this.#native.isClosed;
  }

  /** ASCENDCL_LAUNCH_BLOCKING=1: wait until what was just enqueued has run; its failure throws here. */
  #launched(): void {
    if (!this.device.runtime.launchBlocking || this.#pendingAsyncHostFuncs > 0) return;
    this.#native.synchronizeSync(this.device.runtime.timeoutMs);
  }

  /**
   * Enqueue a copy of `bytes` (default: all of `src`) from `src` to `dst`. Either side may be a
   * DeviceBuffer, a HostBuffer, a view of either, or a plain ArrayBufferView, which the stream
   * keeps alive until the copy has run. Host-to-host copies are not supported (AclError 207000).
   */
  copy(dst: CopyOperand, src: CopyOperand, bytes?: number): void {
    const [nativeDst, dstLength] = operand(dst, 'dst');
    const [nativeSrc, srcLength] = operand(src, 'src');
    const count = byteCount(bytes, srcLength, [
      ['src', srcLength],
      ['dst', dstLength],
    ]);
    this.#enqueue('copy', { bytes: count }, () => this.#native.copy(nativeDst, nativeSrc, count));
    this.#launched();
  }

  /** Enqueue setting `bytes` (default: all) of `dst` to the value `byte` (0–255). */
  fill(dst: DeviceBuffer | HostBuffer, byte: number, bytes?: number): void {
    let nativeDst;
    if (dst instanceof DeviceBuffer) nativeDst = nativeOfDeviceBuffer(dst);
    else if (dst instanceof HostBuffer) nativeDst = nativeOfHostBuffer(dst);
    else throw typeError('a DeviceBuffer or HostBuffer', 'dst', dst);
    const value = integerInRange(byte, 'byte', 0, 255);
    const count = byteCount(bytes, dst.byteLength, [['dst', dst.byteLength]]);
    this.#enqueue('fill', { bytes: count, value }, () => this.#native.fill(nativeDst, value, count));
    this.#launched();
  }

  /** Enqueue a record of `event`: it completes when the work enqueued before it has run. */
  record(event: Event): void {
    if (!(event instanceof Event)) throw typeError('an Event', 'event', event);
    const native = nativeOfEvent(event);
    this.#enqueue('record', {}, () => this.#native.record(native));
    this.#launched();
  }

  /** Make work enqueued after this call wait until `event`'s latest record has completed. */
  wait(event: Event, options?: StreamWaitOptions): void {
    if (!(event instanceof Event)) throw typeError('an Event', 'event', event);
    const opts = optionsObject<StreamWaitOptions>(options, 'options');
    const native = nativeOfEvent(event);
    if (opts.timeoutMs === undefined) {
      this.#enqueue('wait', {}, () => this.#native.wait(native));
    } else {
      const timeoutMs = timeoutValue(opts.timeoutMs);
      this.#enqueue('wait', { timeoutMs }, () => this.#native.wait(native, timeoutMs));
    }
    this.#launched();
  }

  /**
   * Enqueue an execution of `model` on device buffers (in model order, or by name). Like any
   * stream work it runs after what was enqueued before; read the outputs after a synchronize.
   * Executions of one model never overlap: one enqueued on another stream waits for it.
   */
  execute(model: Model, inputs: ModelBuffers, outputs: ModelBuffers, options?: { batch?: number }): void {
    if (!(model instanceof Model)) throw typeError('a Model', 'model', model);
    model.assertOpen();
    const opts = optionsObject<{ batch?: number }>(options, 'options');
    const nativeModel = nativeOfModel(model);
    const nativeInputs = model.buffersFor(inputs, model.inputs, 'inputs');
    const nativeOutputs = model.buffersFor(outputs, model.outputs, 'outputs');
    const batch = model.batchFor(opts.batch);
    this.#enqueue('execute', { batch }, () => this.#native.execute(nativeModel, nativeInputs, nativeOutputs, batch));
    this.#launched();
  }

  /**
   * Enqueue a JS function. The stream waits until it returns, or until its returned Promise
   * settles. If it throws or rejects, the stream goes on and its next synchronize rejects with
   * that error. Host functions still pending when the stream closes are dropped.
   */
  hostFunc(fn: () => void | Promise<void>): void {
    if (typeof fn !== 'function') throw typeError('a function', 'fn', fn);
    if (!this.device.runtime.launchBlocking || this.#pendingAsyncHostFuncs > 0) {
      this.#enqueue('hostFunc', {}, () => this.#native.hostFunc(fn));
      return;
    }
    // Launch blocking: the stream is idle here (every earlier operation was waited for), so the
    // function runs inline, in order, and what it throws comes out of this call.
    this.#native.query(); // closed or faulted streams refuse, as for any other operation
    const result: unknown = fn();
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      // The stream must still wait for the Promise: queue it; a rejection reaches the next synchronize.
      this.#pendingAsyncHostFuncs++;
      const settled = Promise.resolve(result as PromiseLike<unknown>).finally(() => {
        this.#pendingAsyncHostFuncs--;
      });
      settled.catch(() => undefined); // reported by the stream, not as an unhandled rejection
      this.#native.hostFunc(() => settled);
    }
  }

  /** True when every enqueued operation has completed. */
  query(): boolean {
    return this.#native.query();
  }

  /** Resolve when the work enqueued so far has completed. Never blocks the event loop. */
  synchronize(options?: WaitOptions): Promise<void> {
    return waitAsync(options, this.device.runtime.timeoutMs, (timeoutMs, token) =>
      this.#native.synchronize(timeoutMs, token),
    );
  }

  /**
   * Block until the work enqueued so far has completed. Throws AclError 107000 instead of
   * deadlocking when a host function is queued (it would need this very thread).
   */
  synchronizeSync(options?: WaitOptions): void {
    waitSync(options, this.device.runtime.timeoutMs, (timeoutMs) => this.#native.synchronizeSync(timeoutMs));
  }

  /**
   * Close the stream without blocking: pending host functions are dropped, and the runtime
   * stream is destroyed once its queued work has run. Idempotent.
   */
  close(): void {
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
