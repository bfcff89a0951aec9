// Device memory (DeviceBuffer) and pinned host memory (HostBuffer).
import type { Device } from './device.js';
import { assertInternal, INTERNAL } from './internal.js';
import type { NativeDeviceBuffer, NativeHostBuffer } from './native.js';
import { isArrayBufferView, nonNegativeInteger, positiveInteger, rangeError, typeError } from './validate.js';
import { trackCreation } from './leaks.js';

let deviceBufferNative: (buffer: DeviceBuffer) => NativeDeviceBuffer;
let hostBufferNative: (buffer: HostBuffer) => NativeHostBuffer;

/** @internal The native object behind a buffer (for Stream). */
export function nativeOfDeviceBuffer(buffer: DeviceBuffer): NativeDeviceBuffer {
  return deviceBufferNative(buffer);
}
/** @internal */
export function nativeOfHostBuffer(buffer: HostBuffer): NativeHostBuffer {
  return hostBufferNative(buffer);
}

function viewRange(byteLength: number, offset: unknown, length: unknown): [number, number] {
  const start = nonNegativeInteger(offset, 'offset');
  if (start >= byteLength) throw rangeError(`an offset below the buffer's ${byteLength} bytes`, 'offset', start);
  const size = length === undefined ? byteLength - start : positiveInteger(length, 'length');
  if (start + size > byteLength) {
    throw rangeError(`at most ${byteLength - start} (the bytes after offset ${start})`, 'length', size);
  }
  return [start, size];
}

/**
 * Memory on a device (`aclrtMalloc`), or a view of part of it. Created by `device.alloc()`.
 * Its bytes can only be reached through copies: a host dereference of `address` faults.
 */
export class DeviceBuffer implements Disposable {
  readonly #native: NativeDeviceBuffer;
  readonly #parent: DeviceBuffer | undefined;
  /** The device that owns the memory. */
  readonly device: Device;

  static {
    deviceBufferNative = (buffer) => buffer.#native;
  }

  /** @internal */
  constructor(token: symbol, native: NativeDeviceBuffer, device: Device, parent?: DeviceBuffer) {
    assertInternal(token, 'DeviceBuffer');
    this.#native = native;
    this.device = device;
    this.#parent = parent; // a view keeps its parent (and so the memory) alive
    if (!parent) trackCreation(this, () => `DeviceBuffer of ${native.byteLength} bytes on device ${device.id}`);
  }

  /** Size in bytes (requested size; the runtime pads allocations internally). */
  get byteLength(): number {
    return this.#native.byteLength;
  }

  /** The raw device address of the first byte. */
  get address(): bigint {
    return this.#native.address;
  }

  /** True for a view made by `view()`, which owns nothing. */
  get isView(): boolean {
    return this.#native.isView;
  }

  get isClosed(): boolean {
    return this.#native.isClosed;
  }

  /** The buffer this view was made from (undefined for an owning buffer). */
  get parent(): DeviceBuffer | undefined {
    return this.#parent;
  }

  /**
   * A non-owning view of `length` bytes at `offset` (default: to the end). Closing the view
   * releases nothing; closing the buffer closes its views.
   */
  view(offset: number, length?: number): DeviceBuffer {
    const [start, size] = viewRange(this.byteLength, offset, length);
    return new DeviceBuffer(INTERNAL, this.#native.view(start, size), this.device, this);
  }

  /**
   * Copy `src` into the buffer at `offset`, synchronously (host→device). Like `aclrtMemcpy` it
   * does not wait for queued stream work: synchronize first.
   */
  write(src: ArrayBufferView | ArrayBuffer, offset = 0): void {
    if (!isArrayBufferView(src) && !(src instanceof ArrayBuffer)) {
      throw typeError('an ArrayBufferView or ArrayBuffer', 'src', src);
    }
    const start = nonNegativeInteger(offset, 'offset');
    if (start + src.byteLength > this.byteLength) {
      throw rangeError(`at most ${this.byteLength - Math.min(start, this.byteLength)} bytes (from offset ${start})`, 'src', src);
    }
    this.#native.write(src, start);
  }

  /**
   * Copy device bytes to the host, synchronously (device→host). Without `dst`, returns a new
   * Uint8Array of the bytes from `offset` to the end; with `dst`, fills all of it and returns it.
   */
  read(dst?: undefined, offset?: number): Uint8Array;
  read<T extends ArrayBufferView>(dst: T, offset?: number): T;
  read(dst?: ArrayBufferView, offset = 0): ArrayBufferView {
    const start = nonNegativeInteger(offset, 'offset');
    if (dst === undefined) {
      if (start > this.byteLength) throw rangeError(`at most ${this.byteLength}`, 'offset', start);
      return this.#native.read(new Uint8Array(this.byteLength - start), start);
    }
    if (!isArrayBufferView(dst)) throw typeError('an ArrayBufferView', 'dst', dst);
    if (start + dst.byteLength > this.byteLength) {
      throw rangeError(`at most ${this.byteLength - Math.min(start, this.byteLength)} bytes (from offset ${start})`, 'dst', dst);
    }
    return this.#native.read(dst, start);
  }

  /** Free the memory (after queued work that uses it completes). Idempotent. */
  close(): void {
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Page-locked host memory (`aclrtMallocHost`), or a view of part of it. Created by
 * `device.allocHost()`. `bytes` is a Uint8Array over the memory itself: fill it, then copy it
 * on a stream without any extra JS copy.
 */
export class HostBuffer implements Disposable {
  readonly #native: NativeHostBuffer;
  readonly #parent: HostBuffer | undefined;
  readonly device: Device;

  static {
    hostBufferNative = (buffer) => buffer.#native;
  }

  /** @internal */
  constructor(token: symbol, native: NativeHostBuffer, device: Device, parent?: HostBuffer) {
    assertInternal(token, 'HostBuffer');
    this.#native = native;
    this.device = device;
    this.#parent = parent;
    if (!parent) trackCreation(this, () => `HostBuffer of ${native.byteLength} bytes for device ${device.id}`);
  }

  get byteLength(): number {
    return this.#native.byteLength;
  }

  /**
   * The pinned memory as a Uint8Array. Closing the buffer detaches it: views kept afterwards
   * read as empty instead of touching freed memory.
   */
  get bytes(): Uint8Array {
    return this.#native.bytes;
  }

  get isView(): boolean {
    return this.#native.isView;
  }

  get isClosed(): boolean {
    return this.#native.isClosed;
  }

  get parent(): HostBuffer | undefined {
    return this.#parent;
  }

  /** A non-owning view of `length` bytes at `offset` (default: to the end). */
  view(offset: number, length?: number): HostBuffer {
    const [start, size] = viewRange(this.byteLength, offset, length);
    return new HostBuffer(INTERNAL, this.#native.view(start, size), this.device, this);
  }

  /** Free the memory (after queued work that uses it completes). Idempotent. */
  close(): void {
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
