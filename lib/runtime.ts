// Opening AscendCL: backend choice (npu, sim or auto), simulator settings, and the Runtime that
// owns every device.
import { Device } from './device.js';
import { assertInternal, INTERNAL } from './internal.js';
import { addon, type NativeRuntime } from './native.js';
import { Tracer } from './trace.js';
import {
  booleanValue,
  describe,
  integerInRange,
  nonEmptyString,
  optionsObject,
  positiveInteger,
  rangeError,
  timeoutValue,
  typeError,
} from './validate.js';
import { creationReport } from './leaks.js';

export type Backend = 'auto' | 'npu' | 'sim';

/** Fail the `nth` call (1-based; `'*'` = every call) of the runtime function `api` with `code`. */
export interface FaultSpec {
  api: string;
  nth: number | '*';
  code: number;
}

/** Simulator settings. Each defaults to its `ASCENDCL_SIM_*` environment variable, then to the value shown. */
export interface SimOptions {
  /** Number of devices: 1 (`ASCENDCL_SIM_DEVICES`). */
  devices?: number;
  /** Memory per device in bytes: 8 GiB (`ASCENDCL_SIM_MEMORY`, bytes or with KiB/MiB/GiB). */
  memoryBytes?: number;
  /** SoC name: 'Ascend910B4' (`ASCENDCL_SIM_SOC`). */
  socName?: string;
  /** Executor threads: os.availableParallelism() (`ASCENDCL_SIM_THREADS`). */
  threads?: number;
  /** User streams per device: 1024. */
  maxStreams?: number;
  /** Events per device: 4096. */
  maxEvents?: number;
  /** Checks real hardware does not make (bounds, memcpy kinds, use after free…): true (`ASCENDCL_SIM_STRICT=0` turns off). */
  strict?: boolean;
  /** Injected failures: [] (`ASCENDCL_SIM_FAULTS="api:nth:code,..."`). */
  faults?: FaultSpec[];
}

export interface OpenOptions {
  /** Default: `ASCENDCL_BACKEND`, else 'auto' (the NPU if one is usable, else the simulator). */
  backend?: Backend;
  /** npu: the libascendcl.so to load (instead of searching). */
  libraryPath?: string;
  /** Default timeout of every wait, in ms (-1 = none): 60000. */
  timeoutMs?: number;
  sim?: SimOptions;
}

/** Live objects of a runtime, counted until their native release. */
export interface Stats {
  deviceBuffers: number;
  hostBuffers: number;
  streams: number;
  events: number;
  models: number;
  sessions: number;
  /** Requested bytes of live device buffers. */
  deviceBytes: number;
  hostBytes: number;
  /** Operations enqueued on streams whose completion has not been observed yet. */
  pendingOps: number;
  /** Device memory the caching pool holds for reuse. */
  poolBytes: number;
}

/** The simulator's own tables, read natively (the authority for leak checks). */
export interface SimStats {
  initialized: boolean;
  devices: number;
  allocations: number;
  deviceBytes: number;
  deviceBytesConsumed: number;
  hostAllocations: number;
  hostBytes: number;
  contexts: number;
  streams: number;
  events: number;
  models: number;
  pendingTasks: number;
  callbackSubscriptions: number;
  workerThreads: number;
  perDevice: {
    id: number;
    allocations: number;
    deviceBytes: number;
    deviceBytesConsumed: number;
    streams: number;
    events: number;
    pendingTasks: number;
    refCount: number;
    lost: boolean;
  }[];
  [key: string]: unknown;
}

function faultText(spec: FaultSpec, name: string): string {
  const opts = optionsObject<FaultSpec>(spec, name);
  const api = nonEmptyString(opts.api, `${name}.api`);
  if (!/^[A-Za-z0-9_]+$/.test(api)) throw rangeError('a function name such as aclrtMalloc', `${name}.api`, api);
  const nth = opts.nth === '*' ? '*' : String(positiveInteger(opts.nth, `${name}.nth`));
  const code = integerInRange(opts.code, `${name}.code`, 1, 2 ** 31 - 1);
  return `${api}:${nth}:${code}`;
}

/** Fault injection and native statistics of the simulator (`rt.sim`; null on hardware). */
export class SimControl {
  readonly #native: NativeRuntime;

  /** @internal */
  constructor(token: symbol, native: NativeRuntime) {
    assertInternal(token, 'SimControl');
    this.#native = native;
  }

  /**
   * Make the `nth` call (counted from now; `'*'` = every call) of `api` fail with `code`, as a
   * real failure of the runtime would. A device-fatal code also makes the device lost until it
   * is reset.
   */
  injectFault(spec: FaultSpec): void {
    const [api, nth, code] = faultText(spec, 'spec').split(':') as [string, string, string];
    this.#native.simInjectFault(api, nth === '*' ? 0 : Number(nth), Number(code));
  }

  clearFaults(): void {
    this.#native.simClearFaults();
  }

  /** The simulator's live allocations, streams, events, models and bytes. */
  stats(): SimStats {
    const json = this.#native.simStats();
    return JSON.parse(json ?? '{}') as SimStats;
  }

  /**
   * What is still live in the simulator (each with the API and thread that created it), then the
   * JS objects still open with the stack that created them when ASCENDCL_DEBUG_LEAKS=1.
   */
  leakReport(): string {
    return (this.#native.simLeakReport() ?? '') + creationReport();
  }
}

let warnedSimulated = false;

/** An open AscendCL runtime. Created by `open()`. */
export class Runtime implements Disposable {
  readonly #native: NativeRuntime;
  readonly #devices = new Map<number, Device>();
  /** @internal live sessions, counted by InferenceSession */
  sessionCount = 0;
  /** Which library runs the calls: the real runtime or the simulator. */
  readonly backend: 'npu' | 'sim';
  /** Why this backend was chosen. */
  readonly reason: string;
  /** The library that was loaded. */
  readonly libraryPath: string;
  readonly deviceCount: number;
  /** SoC of device 0 (`aclrtGetSocName`). */
  readonly socName: string;
  /** The ACL API version (`aclrtGetVersion`). */
  readonly version: { readonly major: number; readonly minor: number; readonly patch: number };
  /** The CANN version string, when the runtime reports one. */
  readonly cannVersion: string | null;
  /** 'host' when this process runs on the host of PCIe cards, 'device' on the device's own CPU. */
  readonly runMode: 'host' | 'device';
  /** Default timeout of waits, ms. */
  readonly timeoutMs: number;
  /** Simulator controls; null on hardware. */
  readonly sim: SimControl | null;
  /** Timeline traces of stream operations (Chrome trace-event JSON). */
  readonly trace: Tracer;
  /**
   * `ASCENDCL_LAUNCH_BLOCKING=1` (read at open()): every stream operation waits until it has run
   * and host functions run inline, so the call that fails is the one that throws. For debugging.
   */
  readonly launchBlocking: boolean;

  /** @internal */
  constructor(token: symbol, native: NativeRuntime, timeoutMs: number) {
    assertInternal(token, 'Runtime');
    this.#native = native;
    const info = native.info();
    this.backend = info.backend;
    this.reason = info.reason;
    this.libraryPath = info.libraryPath;
    this.socName = info.socName;
    this.version = Object.freeze({ ...info.version });
    this.cannVersion = info.cannVersion;
    this.runMode = info.runMode;
    this.timeoutMs = timeoutMs;
    this.deviceCount = native.deviceCount();
    this.sim = info.backend === 'sim' ? new SimControl(INTERNAL, native) : null;
    this.trace = new Tracer(native, info.backend);
    this.launchBlocking = process.env.ASCENDCL_LAUNCH_BLOCKING === '1';
  }

  get isClosed(): boolean {
    return this.#native.isClosed;
  }

  /** The device `id` (one object per id; opened with `aclrtSetDevice` on first use). */
  device(id: number): Device {
    const index = integerInRange(id, 'id', 0, Math.max(0, this.deviceCount - 1));
    if (this.deviceCount === 0) throw rangeError('a device id, but the runtime has no devices', 'id', id);
    const cached = this.#devices.get(index);
    if (cached && !cached.isClosed) return cached;
    const device = new Device(INTERNAL, this.#native.openDevice(index), this);
    this.#devices.set(index, device);
    return device;
  }

  /** Live objects of this runtime. */
  stats(): Stats {
    return { ...this.#native.stats(), sessions: this.sessionCount };
  }

  /** Close every device (and everything on it); the last runtime of the process finalises AscendCL. Idempotent. */
  close(): void {
    this.#native.close();
    this.#devices.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function simOptionPairs(sim: unknown): [string, string][] {
  const opts = optionsObject<SimOptions>(sim, 'sim');
  const pairs: [string, string][] = [];
  if (opts.devices !== undefined) pairs.push(['devices', String(integerInRange(opts.devices, 'sim.devices', 1, 64))]);
  if (opts.memoryBytes !== undefined) pairs.push(['memoryBytes', String(positiveInteger(opts.memoryBytes, 'sim.memoryBytes'))]);
  if (opts.socName !== undefined) pairs.push(['socName', nonEmptyString(opts.socName, 'sim.socName')]);
  if (opts.threads !== undefined) pairs.push(['threads', String(integerInRange(opts.threads, 'sim.threads', 1, 1024))]);
  if (opts.maxStreams !== undefined) pairs.push(['maxStreams', String(positiveInteger(opts.maxStreams, 'sim.maxStreams'))]);
  if (opts.maxEvents !== undefined) pairs.push(['maxEvents', String(positiveInteger(opts.maxEvents, 'sim.maxEvents'))]);
  if (opts.strict !== undefined) pairs.push(['strict', booleanValue(opts.strict, 'sim.strict') ? '1' : '0']);
  if (opts.faults !== undefined) {
    if (!Array.isArray(opts.faults)) throw typeError('an array of FaultSpec', 'sim.faults', opts.faults);
    pairs.push(['faults', opts.faults.map((spec, i) => faultText(spec, `sim.faults[${i}]`)).join(',')]);
  }
  return pairs;
}

/**
 * Open AscendCL: the real runtime (`'npu'`), the simulator (`'sim'`), or the NPU when one is
 * usable and the simulator otherwise (`'auto'`, the default, with a one-time warning).
 * A second open() while one is open shares it; different backend or sim settings throw
 * AclError 100002.
 */
export function open(options?: OpenOptions): Runtime {
  const opts = optionsObject<OpenOptions>(options, 'options');
  let backend: Backend;
  let backendFrom: string;
  if (opts.backend !== undefined) {
    if (opts.backend !== 'auto' && opts.backend !== 'npu' && opts.backend !== 'sim') {
      throw rangeError("'auto', 'npu' or 'sim'", 'backend', opts.backend);
    }
    backend = opts.backend;
    backendFrom = 'open() option';
  } else if (process.env.ASCENDCL_BACKEND) {
    const fromEnv = process.env.ASCENDCL_BACKEND;
    if (fromEnv !== 'auto' && fromEnv !== 'npu' && fromEnv !== 'sim') {
      throw new RangeError(`expected 'auto', 'npu' or 'sim' for ASCENDCL_BACKEND but received ${describe(fromEnv)}`);
    }
    backend = fromEnv;
    backendFrom = 'ASCENDCL_BACKEND';
  } else {
    backend = 'auto';
    backendFrom = 'default';
  }
  const libraryPath = opts.libraryPath === undefined ? undefined : nonEmptyString(opts.libraryPath, 'libraryPath');
  const timeoutMs = opts.timeoutMs === undefined ? 60000 : timeoutValue(opts.timeoutMs);
  const simOptions = simOptionPairs(opts.sim);
  const native = addon.openRuntime({ backend, backendFrom, simOptions, ...(libraryPath ? { libraryPath } : {}) });
  let runtime: Runtime;
  try {
    runtime = new Runtime(INTERNAL, native, timeoutMs);
  } catch (error) {
    native.close();
    throw error;
  }
  if (native.info().fellBackToSim && !warnedSimulated) {
    warnedSimulated = true;
    process.emitWarning(`ascendcl is running on the simulator: ${runtime.reason}`, { code: 'ASCENDCL_SIMULATED' });
  }
  return runtime;
}
