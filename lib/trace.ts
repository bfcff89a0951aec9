// Timeline traces of stream operations as Chrome trace-event JSON (Perfetto, chrome://tracing).
//
// Two sources of times:
// - 'simulator': the simulator's scheduler stamps every task when it starts and finishes
//   (aclsimTraceStart/Stop); nothing is added to the streams.
// - 'events': a timing event is recorded before and after each operation enqueued through this
//   runtime, and the times are the events' elapsed times from an origin event. This is how a
//   trace is taken on hardware; on the simulator it can be forced (`source: 'events'`).
import type { Device } from './device.js';
import type { Event } from './event.js';
import type { NativeRuntime } from './native.js';
import type { Stream } from './stream.js';
import { optionsObject, positiveInteger, rangeError } from './validate.js';

/** Where the times of a trace come from. `'auto'`: the simulator's own on the simulator, events on hardware. */
export type TraceSource = 'auto' | 'simulator' | 'events';

export interface TraceOptions {
  /** Default `'auto'`. */
  source?: TraceSource;
  /** Most operations recorded; later ones are counted in `otherData.lost` (default 100000; 2000 for events). */
  maxOperations?: number;
}

/** One Chrome trace event: `ph: 'X'` is an operation (ts, dur in µs), `ph: 'M'` names a track. */
export interface TraceEvent {
  name: string;
  cat: string;
  ph: 'X' | 'M';
  /** Start, µs from the start of the trace. */
  ts: number;
  /** Duration, µs. */
  dur: number;
  /** The device id. */
  pid: number;
  /** The stream's track (1, 2, … in creation order on its device). */
  tid: number;
  args: Record<string, unknown>;
}

/** What `trace.stop()` returns: write it with `JSON.stringify` and open it in Perfetto. */
export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: {
    source: 'simulator' | 'events';
    backend: 'npu' | 'sim';
    /** Operations that happened but were not recorded (limit reached, or not complete at stop). */
    lost: number;
    durationMs: number;
  };
}

/** The simulator's names of stream operations → the binding's. */
const OPERATION_NAMES: Record<string, string> = {
  aclrtMemcpyAsync: 'copy',
  aclrtMemsetAsync: 'fill',
  aclmdlExecuteAsync: 'execute',
  aclrtLaunchCallback: 'hostFunc',
  aclrtRecordEvent: 'record',
  aclrtStreamWaitEvent: 'wait',
  aclrtStreamWaitEventWithTimeout: 'wait',
};

interface StreamTrack {
  device: number;
  tid: number;
  ref: WeakRef<Stream>;
}

interface SimRecord {
  stream: string;
  device: number;
  api: string;
  position: number;
  enqueuedNs: number;
  startNs: number;
  endNs: number;
}

interface PendingOperation {
  stream: Stream;
  name: string;
  args: Record<string, unknown>;
  before: Event;
  after: Event;
}

interface EventOrigin {
  device: Device;
  stream: Stream;
  event: Event;
}

/**
 * `runtime.trace`: records every stream operation between `start()` and `stop()`.
 *
 * ```ts
 * rt.trace.start();
 * // … enqueue work on streams …
 * await stream.synchronize();
 * writeFileSync('trace.json', JSON.stringify(rt.trace.stop()));
 * ```
 */
export class Tracer {
  readonly #native: NativeRuntime;
  readonly #backend: 'npu' | 'sim';
  readonly #tracks = new Map<bigint, StreamTrack>();
  readonly #tidOf = new WeakMap<Stream, number>();
  readonly #nextTid = new Map<number, number>();
  /** Set while the tracer enqueues its own records, so they are not traced themselves. */
  #inside = false;
  #pruneAt = 256;
  #source: 'simulator' | 'events' | null = null;
  #maxOperations = 0;
  #startedAt = 0;
  #pending: PendingOperation[] = [];
  #lost = 0;
  #origins = new Map<number, EventOrigin>();

  /** @internal */
  constructor(native: NativeRuntime, backend: 'npu' | 'sim') {
    this.#native = native;
    this.#backend = backend;
  }

  /** True between `start()` and `stop()`. */
  get active(): boolean {
    return this.#source !== null;
  }

  /** Start recording (a trace already running is discarded and restarted). */
  start(options?: TraceOptions): void {
    const opts = optionsObject<TraceOptions>(options, 'options');
    const source = opts.source ?? 'auto';
    if (source !== 'auto' && source !== 'simulator' && source !== 'events') {
      throw rangeError("'auto', 'simulator' or 'events'", 'options.source', source);
    }
    const resolved = source === 'auto' ? (this.#backend === 'sim' ? 'simulator' : 'events') : source;
    if (resolved === 'simulator' && this.#backend !== 'sim') {
      throw rangeError("'events' or 'auto' (the simulator's clock exists only on backend 'sim')", 'options.source', source);
    }
    const max =
      opts.maxOperations === undefined
        ? resolved === 'events'
          ? 2000
          : 100000
        : positiveInteger(opts.maxOperations, 'options.maxOperations');
    if (this.#source !== null) this.#discard();
    this.#maxOperations = max;
    this.#lost = 0;
    this.#startedAt = performance.now();
    if (resolved === 'simulator') this.#native.simTraceStart(max);
    this.#source = resolved;
  }

  /**
   * Stop and return the trace of every operation that completed since `start()` (synchronize
   * the streams first: operations still running are left out and counted in `otherData.lost`).
   * Returns an empty trace when none was started.
   */
  stop(): ChromeTrace {
    const source = this.#source;
    const durationMs = source === null ? 0 : performance.now() - this.#startedAt;
    const events: TraceEvent[] = [];
    let lost = this.#lost;
    if (source === 'simulator') {
      const json = this.#native.simTraceStop();
      const parsed = JSON.parse(json ?? '{"records":[],"lost":0}') as { records: SimRecord[]; lost: number };
      lost += parsed.lost;
      for (const record of parsed.records) {
        const track = this.#trackOf(BigInt(record.stream), record.device);
        events.push({
          name: OPERATION_NAMES[record.api] ?? record.api,
          cat: 'stream',
          ph: 'X',
          ts: record.startNs / 1000,
          dur: (record.endNs - record.startNs) / 1000,
          pid: record.device,
          tid: track,
          args: { api: record.api, position: record.position, queuedUs: (record.startNs - record.enqueuedNs) / 1000 },
        });
      }
    } else if (source === 'events') {
      lost += this.#collectEvents(events);
    }
    this.#source = null;
    events.sort((a, b) => a.ts - b.ts);
    return {
      traceEvents: [...this.#metadata(events), ...events],
      displayTimeUnit: 'ms',
      otherData: { source: source ?? (this.#backend === 'sim' ? 'simulator' : 'events'), backend: this.#backend, lost, durationMs },
    };
  }

  /** @internal A new stream gets the next track of its device. */
  register(stream: Stream, traceId: bigint, device: number): void {
    if (this.#tracks.size >= this.#pruneAt) {
      for (const [id, track] of this.#tracks) {
        const live = track.ref.deref();
        if (live === undefined || live.isClosed) this.#tracks.delete(id);
      }
      this.#pruneAt = Math.max(256, this.#tracks.size * 2);
    }
    const tid = this.#newTid(device);
    this.#tracks.set(traceId, { device, tid, ref: new WeakRef(stream) });
    this.#tidOf.set(stream, tid);
  }

  /**
   * @internal Runs `enqueue` (one stream operation); with the 'events' source, brackets it with
   * timing events recorded on the same stream.
   */
  around(stream: Stream, name: string, args: Record<string, unknown>, enqueue: () => void): void {
    if (this.#source !== 'events' || this.#inside) {
      enqueue();
      return;
    }
    if (this.#pending.length >= this.#maxOperations) {
      this.#lost += 1;
      enqueue();
      return;
    }
    const device = stream.device;
    this.#inside = true;
    let before: Event | undefined;
    let after: Event | undefined;
    try {
      this.#originOf(device);
      before = device.createEvent();
      after = device.createEvent();
      stream.record(before);
      this.#inside = false;
      enqueue();
      this.#inside = true;
      stream.record(after);
    } catch (error) {
      before?.close();
      after?.close();
      throw error;
    } finally {
      this.#inside = false;
    }
    this.#pending.push({ stream, name, args, before, after });
  }

  #newTid(device: number): number {
    const tid = (this.#nextTid.get(device) ?? 0) + 1;
    this.#nextTid.set(device, tid);
    return tid;
  }

  #trackOf(traceId: bigint, device: number): number {
    const known = this.#tracks.get(traceId);
    if (known) return known.tid;
    // A stream the binding made for itself: its own track.
    const tid = this.#newTid(device);
    this.#tracks.set(traceId, { device, tid, ref: new WeakRef({ isClosed: true } as Stream) });
    return tid;
  }

  /** An event recorded on a private, idle stream when tracing reaches a device: time zero. */
  #originOf(device: Device): EventOrigin {
    const known = this.#origins.get(device.id);
    if (known && !known.event.isClosed) return known;
    const stream = device.createStream();
    const event = device.createEvent();
    stream.record(event);
    event.synchronizeSync();
    const origin = { device, stream, event };
    this.#origins.set(device.id, origin);
    return origin;
  }

  #collectEvents(out: TraceEvent[]): number {
    let incomplete = 0;
    for (const op of this.#pending) {
      const origin = this.#origins.get(op.stream.device.id);
      let done = false;
      try {
        done = origin !== undefined && !op.after.isClosed && op.after.query() && op.before.query();
        if (done && origin) {
          const ts = op.before.elapsedSince(origin.event) * 1000;
          const end = op.after.elapsedSince(origin.event) * 1000;
          const tid = this.#tidOf.get(op.stream) ?? 0;
          out.push({ name: op.name, cat: 'stream', ph: 'X', ts, dur: Math.max(0, end - ts), pid: op.stream.device.id, tid, args: op.args });
        }
      } catch {
        done = false;
      }
      if (!done) incomplete += 1;
    }
    this.#discard();
    return incomplete;
  }

  #discard(): void {
    if (this.#source === 'simulator') this.#native.simTraceStop();
    for (const op of this.#pending) {
      op.before.close();
      op.after.close();
    }
    this.#pending = [];
    for (const origin of this.#origins.values()) {
      origin.event.close();
      origin.stream.close();
    }
    this.#origins.clear();
  }

  #metadata(events: TraceEvent[]): TraceEvent[] {
    const seen = new Map<string, TraceEvent>();
    for (const e of events) {
      const process = `p${e.pid}`;
      if (!seen.has(process)) {
        seen.set(process, {
          name: 'process_name',
          cat: '__metadata',
          ph: 'M',
          ts: 0,
          dur: 0,
          pid: e.pid,
          tid: 0,
          args: { name: `device ${e.pid} (${this.#backend})` },
        });
      }
      const thread = `t${e.pid}.${e.tid}`;
      if (!seen.has(thread)) {
        seen.set(thread, {
          name: 'thread_name',
          cat: '__metadata',
          ph: 'M',
          ts: 0,
          dur: 0,
          pid: e.pid,
          tid: e.tid,
          args: { name: `stream ${e.tid}` },
        });
      }
    }
    return [...seen.values()];
  }
}
