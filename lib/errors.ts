// The five error classes of api.md that may leave a public method: AclError, AclClosedError,
// AclLoadError, and the built-in TypeError and RangeError for bad arguments.
import { addon } from './native.js';

/** Category of an AscendCL error code, from its leading digit (1/2/3/5). */
export type ErrorCategory = 'parameter' | 'resource' | 'business' | 'internal';

interface CodeInfo {
  name: string;
  hint: string | null;
  deviceFatal: boolean;
}

// The one table of codes, names and hints lives in native/acl/acl_errors.cc; the addon hands it
// over once so that JS and C++ can never disagree.
const codes = new Map<number, CodeInfo>();
for (const [code, name, hint, deviceFatal] of addon.errorTable()) codes.set(code, { name, hint, deviceFatal });

/** The symbolic name of an AscendCL error code (`ACL_ERROR_UNKNOWN_<n>` when unknown). */
export function errorCodeName(code: number): string {
  return codes.get(code)?.name ?? `ACL_ERROR_UNKNOWN_${code}`;
}

/** Whether a code marks a device faulted (api.md's list). */
export function isDeviceFatal(code: number): boolean {
  return codes.get(code)?.deviceFatal ?? false;
}

function categoryOf(code: number): ErrorCategory {
  switch (Math.floor(code / 100000)) {
    case 1:
      return 'parameter';
    case 2:
      return 'resource';
    case 3:
      return 'business';
    default:
      return 'internal';
  }
}

export interface AclErrorInit {
  code: number;
  api: string;
  message?: string;
  recentMessage?: string | null;
  deviceId?: number | null;
}

/** A runtime call failed, or the binding refused work for a runtime reason. */
export class AclError extends Error {
  /** The AscendCL error code, e.g. 207001. */
  readonly code: number;
  /** Its symbolic name, e.g. `'ACL_ERROR_RT_MEMORY_ALLOCATION'`. */
  readonly codeName: string;
  /** The C function that failed (`'aclrtMalloc'`) or the binding operation (`'device.faulted'`). */
  readonly api: string;
  readonly category: ErrorCategory;
  /** The runtime's own message (`aclGetRecentErrMsg`), read on the failing thread at once. */
  readonly recentMessage: string | null;
  readonly deviceId: number | null;
  /** What to do about it, for the common codes. */
  readonly hint: string | null;

  constructor(init: AclErrorInit) {
    const codeName = errorCodeName(init.code);
    const hint = codes.get(init.code)?.hint ?? null;
    const recent = init.recentMessage ?? null;
    const detail = init.message || recent?.split('\n').find((line) => line.trim() !== '') || '';
    let message = `${init.api} failed with ${init.code} ${codeName}`;
    if (detail) message += `: ${detail}`;
    if (hint) message += ` (${hint})`;
    super(message);
    this.name = 'AclError';
    this.code = init.code;
    this.codeName = codeName;
    this.api = init.api;
    this.category = categoryOf(init.code);
    this.recentMessage = recent;
    this.deviceId = init.deviceId ?? null;
    this.hint = hint;
  }
}

/** A closed resource was used. */
export class AclClosedError extends Error {
  /** The class of the closed resource: 'Stream', 'DeviceBuffer', … */
  readonly resource: string;

  constructor(resource: string) {
    super(`${resource} is closed`);
    this.name = 'AclClosedError';
    this.resource = resource;
  }
}

export { AclLoadError } from './load-error.js';
export type { LoadAttempt } from './load-error.js';

/**
 * Give an error from asynchronous work the stack of the JS call that started it (the native
 * stack it was created on says nothing useful).
 */
export function withCallerStack(error: unknown, origin: { stack?: string }): unknown {
  if ((error instanceof AclError || error instanceof AclClosedError) && origin.stack) {
    const frames = origin.stack.slice(origin.stack.indexOf('\n') + 1);
    error.stack = `${error.name}: ${error.message}\n${frames}`;
  }
  return error;
}
