// The addon, loaded once, and the shapes of its objects. Only lib/ talks to it; these Native*
// types are internal (the public classes wrap them).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  close(): void;
  readonly isClosed: boolean;
}

export interface NativeDevice {
  readonly id: number;
  readonly state: 'ok' | 'faulted' | 'closed';
  readonly isClosed: boolean;
  memoryInfo(): { free: number; total: number };
  alloc(bytes: number): NativeDeviceBuffer;
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
  errorTable(): [code: number, name: string, hint: string | null, deviceFatal: boolean][];
  NativeCancelToken: new () => NativeCancelToken;
}

// node-gyp-build finds a prebuilt binary for this platform or the one `npm install` built.
// ASCENDCL_ADDON_DIR names another build directory instead (the simulator is loaded from beside
// the addon): `npm run test:asan` points it at the AddressSanitizer build.
function loadAddon(): Addon {
  const dir = process.env.ASCENDCL_ADDON_DIR;
  if (dir !== undefined && dir !== '') return require(join(dir, 'ascendcl.node')) as Addon;
  const load = require('node-gyp-build') as (dir: string) => unknown;
  return load(packageRoot) as Addon;
}
export const addon = loadAddon();
