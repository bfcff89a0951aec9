// The addon, loaded once, and the shapes of its objects. Only lib/ talks to it; these Native*
// types are internal (the public classes wrap them).
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AclLoadError, type LoadAttempt } from './load-error.js';

const require = createRequire(import.meta.url);
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface NativeRuntimeInfo {
  backend: 'npu' | 'sim';
  reason: string;
  libraryPath: string;
  fellBackToSim: boolean;
  attempts: { path: string; reason: string }[];
  version: { major: number; minor: number; patch: number };
  socName: string;
  runMode: 'host' | 'device';
  cannVersion: string | null;
}

export interface NativeStats {
  deviceBuffers: number;
  hostBuffers: number;
  streams: number;
  events: number;
  models: number;
  deviceBytes: number;
  hostBytes: number;
  pendingOps: number;
  poolBytes: number;
}

export interface NativeRuntime {
  info(): NativeRuntimeInfo;
  deviceCount(): number;
  openDevice(id: number): NativeDevice;
  stats(): NativeStats;
  simStats(): string | null;
  simLeakReport(): string | null;
  simInjectFault(api: string, nth: number, code: number): void;
  simClearFaults(): void;
  /** false on npu. */
  simTraceStart(maxRecords: number): boolean;
  simTraceStop(): string | null;
  close(): void;
  readonly isClosed: boolean;
}

export interface NativeDevice {
  readonly id: number;
  readonly state: 'ok' | 'faulted' | 'closed';
  readonly isClosed: boolean;
  memoryInfo(): { free: number; total: number };
  alloc(bytes: number, pooled?: boolean): NativeDeviceBuffer;
  allocHost(bytes: number): NativeHostBuffer;
  createStream(): NativeStream;
  createEvent(timing: boolean): NativeEvent;
  synchronize(timeoutMs: number, token?: NativeCancelToken): Promise<void>;
  synchronizeSync(timeoutMs: number): void;
  trimPool(): void;
  reset(): void;
  close(): void;
  loadModel(
    source: string | Uint8Array,
    gears: number[] | undefined,
    inputTypes: [string, string][],
    outputTypes: [string, string][],
  ): Promise<NativeModel>;
  loadModelSync(
    source: string | Uint8Array,
    gears: number[] | undefined,
    inputTypes: [string, string][],
    outputTypes: [string, string][],
  ): NativeModel;
}

export interface NativeTensorInfo {
  name: string;
  dims: number[];
  dataType: string;
  format: string;
  byteSize: number;
}

/** [data, dims | null] per visible input, for run(). */
export type NativeFeed = [ArrayBufferView | NativeDeviceBuffer, number[] | null];
/** [dims, bytes | device buffer | null] per output, from run(). */
export type NativeResult = [number[], ArrayBuffer | NativeDeviceBuffer | null];

export interface NativeModel {
  info(): { inputs: NativeTensorInfo[]; outputs: NativeTensorInfo[]; dynamicBatch: number[] | null };
  readonly isClosed: boolean;
  execute(inputs: NativeDeviceBuffer[], outputs: NativeDeviceBuffer[], batch: number): Promise<void>;
  executeSync(inputs: NativeDeviceBuffer[], outputs: NativeDeviceBuffer[], batch: number): void;
  run(feeds: NativeFeed[], outputs: ('cpu' | 'device' | 'none')[], batch: number): Promise<NativeResult[]>;
  runSync(feeds: NativeFeed[], outputs: ('cpu' | 'device' | 'none')[], batch: number): NativeResult[];
  close(): void;
}

export interface NativeDeviceBuffer {
  readonly byteLength: number;
  readonly address: bigint;
  readonly isView: boolean;
  readonly isClosed: boolean;
  view(offset: number, length: number): NativeDeviceBuffer;
  write(src: ArrayBufferView | ArrayBuffer, offset: number): void;
  read<T extends ArrayBufferView>(dst: T, offset: number): T;
  close(): void;
}

export interface NativeHostBuffer {
  readonly byteLength: number;
  readonly bytes: Uint8Array;
  readonly isView: boolean;
  readonly isClosed: boolean;
  view(offset: number, length: number): NativeHostBuffer;
  close(): void;
}

export type NativeOperand = NativeDeviceBuffer | NativeHostBuffer | ArrayBufferView;

export interface NativeStream {
  readonly isClosed: boolean;
  readonly traceId: bigint;
  copy(dst: NativeOperand, src: NativeOperand, bytes: number): void;
  fill(dst: NativeDeviceBuffer | NativeHostBuffer, byte: number, bytes: number): void;
  record(event: NativeEvent): void;
  wait(event: NativeEvent, timeoutMs?: number): void;
  execute(model: NativeModel, inputs: NativeDeviceBuffer[], outputs: NativeDeviceBuffer[], batch: number): void;
  hostFunc(fn: () => unknown): void;
  hostFuncDone(id: number, error?: unknown): void;
  query(): boolean;
  synchronize(timeoutMs: number, token?: NativeCancelToken): Promise<void>;
  synchronizeSync(timeoutMs: number): void;
  close(): void;
}

export interface NativeEvent {
  readonly timing: boolean;
  readonly isClosed: boolean;
  query(): boolean;
  synchronize(timeoutMs: number, token?: NativeCancelToken): Promise<void>;
  synchronizeSync(timeoutMs: number): void;
  elapsedSince(start: NativeEvent): number;
  close(): void;
}

/** One candidate of the npu library search (addon/library_probe.h). */
export interface NativeProbe {
  path: string;
  resolvedPath: string | null;
  ok: boolean;
  stub: boolean;
  simulator: boolean;
  reason: string;
  missingOptional: string[];
}

export interface NativeCancelToken {
  cancel(): void;
}

export interface NativeHooks {
  makeAclError(code: number, api: string, message: string, recentMessage: string | null, deviceId: number | null): Error;
  makeClosedError(resource: string): Error;
  makeLoadError(message: string, attempts: { path: string; reason: string }[], advice: string): Error;
  invokeHostFunc(fn: () => unknown, stream: NativeStream, id: number): void;
}

export interface Addon {
  openRuntime(settings: {
    backend: string;
    backendFrom: string;
    libraryPath?: string;
    simOptions: [string, string][];
  }): NativeRuntime;
  configure(hooks: NativeHooks): void;
  probeLibraries(libraryPath?: string): NativeProbe[];
  errorTable(): [code: number, name: string, hint: string | null, deviceFatal: boolean][];
  NativeCancelToken: new () => NativeCancelToken;
}

/** Where the addon came from: a prebuilt binary shipped in the package, or a source build. */
export interface AddonOrigin {
  path: string;
  prebuilt: boolean;
  /** Failures of candidates tried before the one that loaded. */
  attempts: LoadAttempt[];
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/**
 * Load the addon: node-gyp-build's choice first (build/Release after a source build, else
 * prebuilds/<platform>-<arch>/ matched on Node-API tags), then every other build present, and
 * if none loads, one error listing each file and why it failed, with what to do.
 */
function loadAddon(): { addon: Addon; origin: AddonOrigin } {
  const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
  const attempts: LoadAttempt[] = [];
  const candidates: string[] = [];
  // ASCENDCL_ADDON_DIR names one build directory to use instead (the simulator is loaded from
  // beside the addon): `npm run test:asan` points it at the AddressSanitizer build.
  const dir = process.env.ASCENDCL_ADDON_DIR;
  if (dir !== undefined && dir !== '') {
    const path = join(dir, 'ascendcl.node');
    return { addon: require(path) as Addon, origin: { path, prebuilt: false, attempts } };
  }
  try {
    candidates.push(nodeGypBuild.path(packageRoot));
  } catch (error) {
    attempts.push({ path: `node-gyp-build search in ${packageRoot}`, reason: firstLine(error) });
  }
  const tuple = `${process.platform}-${process.arch}`;
  const prebuildDir = join(packageRoot, 'prebuilds', tuple);
  const others = [join(packageRoot, 'build', 'Release', 'ascendcl.node'), join(packageRoot, 'build', 'Debug', 'ascendcl.node')];
  if (existsSync(prebuildDir)) {
    for (const file of readdirSync(prebuildDir)) if (file.endsWith('.node')) others.push(join(prebuildDir, file));
  }
  for (const path of others) if (existsSync(path) && !candidates.includes(path)) candidates.push(path);
  for (const path of candidates) {
    try {
      const loaded = require(path) as Addon;
      return { addon: loaded, origin: { path, prebuilt: path.startsWith(join(packageRoot, 'prebuilds')), attempts } };
    } catch (error) {
      attempts.push({ path, reason: firstLine(error) });
    }
  }
  throw new AclLoadError(
    `cannot load the ascendcl native addon for ${tuple} (Node ${process.versions.node}, Node-API ${process.versions.napi})`,
    attempts,
    'The package ships prebuilt binaries for linux-x64 and linux-arm64 (glibc) in prebuilds/. On another ' +
      'platform, or when they fail to load, build from source: `npm rebuild ascendcl` (needs python3, make ' +
      'and g++ with C++20). A "GLIBC_x.y not found" reason means this system\'s C library is older than the ' +
      'one the binary was built against: build from source.',
  );
}

const loaded = loadAddon();
export const addon = loaded.addon;
export const addonOrigin: AddonOrigin = loaded.origin;
