// ascendcl: Node.js bindings for Huawei Ascend NPUs (AscendCL), with a CPU simulator.
import { AclClosedError, AclError, AclLoadError } from './errors.js';
import { addon } from './native.js';
import { invokeHostFunc } from './stream.js';

// Hand the error classes and the host-function runner to the addon once (style.md: the error
// classes live in JS; native code creates instances through these factories).
addon.configure({
  makeAclError: (code, api, message, recentMessage, deviceId) =>
    new AclError({ code, api, message, recentMessage, deviceId }),
  makeClosedError: (resource) => new AclClosedError(resource),
  makeLoadError: (message, attempts, advice) => new AclLoadError(message, attempts, advice),
  invokeHostFunc,
});

export { open, Runtime, SimControl } from './runtime.js';
export type { Backend, FaultSpec, OpenOptions, SimOptions, SimStats, Stats } from './runtime.js';
export { diagnose, formatDiagnosis } from './diagnose.js';
export type { DiagnosedDevice, Diagnosis, DiagnoseOptions, LibraryCandidate, Problem } from './diagnose.js';
export { Tracer } from './trace.js';
export type { ChromeTrace, TraceEvent, TraceOptions, TraceSource } from './trace.js';
export { Device } from './device.js';
export type { AllocOptions, DeviceState, EventOptions } from './device.js';
export { DeviceBuffer, HostBuffer } from './memory.js';
export { Stream } from './stream.js';
export type { CopyOperand, StreamWaitOptions } from './stream.js';
export { Event } from './event.js';
export type { WaitOptions } from './wait.js';
export { AclError, AclClosedError, AclLoadError, errorCodeName, isDeviceFatal } from './errors.js';
export type { AclErrorInit, ErrorCategory, LoadAttempt } from './errors.js';
export { dataTypes, dataTypeFromAcl, isDataType } from './dtypes.js';
export type { DataType, DataTypeInfo, TypedArray } from './dtypes.js';
export { float16 } from './float16.js';
export { Model } from './model.js';
export type { ExecuteOptions, ModelBuffers, ModelOptions, TensorInfo } from './model.js';
export { Tensor } from './tensor.js';
export type { TensorLocation } from './tensor.js';
export { InferenceSession } from './session.js';
export type { Feeds, RunOptions, SessionOptions } from './session.js';
