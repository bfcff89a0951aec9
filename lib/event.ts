// Events: markers recorded on a stream, for ordering streams and timing work.
import type { Device } from './device.js';
import { assertInternal } from './internal.js';
import type { NativeEvent } from './native.js';
import { typeError } from './validate.js';
import { type WaitOptions, waitAsync, waitSync } from './wait.js';
import { trackCreation } from './leaks.js';

let eventNative: (event: Event) => NativeEvent;

/** @internal */
export function nativeOfEvent(event: Event): NativeEvent {
  return eventNative(event);
}

/** A point in a stream's queue (`aclrtCreateEvent`). Created by `device.createEvent()`. */
export class Event implements Disposable {
  readonly #native: NativeEvent;
  readonly device: Device;

  static {
    eventNative = (event) => event.#native;
  }

  /** @internal */
  constructor(token: symbol, native: NativeEvent, device: Device) {
    assertInternal(token, 'Event');
    this.#native = native;
    this.device = device;
    trackCreation(this, () => `Event on device ${device.id}`);
  }

  /** Whether the event records timestamps (`createEvent({ timing })`, default true). */
  get timing(): boolean {
    return this.#native.timing;
  }

  get isClosed(): boolean {
    return this.#native.isClosed;
  }

  /** True when the work before its latest record has completed, or it was never recorded. */
  query(): boolean {
    return this.#native.query();
  }

  /** Resolve when the work before the latest record completes. Never blocks the event loop. */
  synchronize(options?: WaitOptions): Promise<void> {
    return waitAsync(options, this.device.runtime.timeoutMs, (timeoutMs, token) =>
      this.#native.synchronize(timeoutMs, token),
    );
  }

  /** Block the calling thread until the work before the latest record completes. */
  synchronizeSync(options?: WaitOptions): void {
    waitSync(options, this.device.runtime.timeoutMs, (timeoutMs) => this.#native.synchronizeSync(timeoutMs));
  }

  /**
   * Milliseconds (float) from `start`'s record to this event's record. Both must be timing
   * events, recorded and complete (AclError 107006 otherwise).
   */
  elapsedSince(start: Event): number {
    if (!(start instanceof Event)) throw typeError('an Event', 'start', start);
    return this.#native.elapsedSince(start.#native);
  }

  /** Destroy the event (allowed while a record is pending). Idempotent. */
  close(): void {
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
