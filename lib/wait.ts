// The options every wait takes ({ timeoutMs, signal }) and the Promise plumbing around native
// waits: validation errors become rejections, an AbortSignal rejects with its reason and ends
// the native wait, and errors carry the stack of the call that started the wait.
import { withCallerStack } from './errors.js';
import { addon, type NativeCancelToken } from './native.js';
import { optionsObject, timeoutValue, typeError } from './validate.js';

/** Options of every wait. */
export interface WaitOptions {
  /** Milliseconds, or -1 for no limit. Default: the `timeoutMs` given to `open()` (60000). */
  timeoutMs?: number;
  /** Aborting rejects the wait with the signal's reason; the resource stays usable. */
  signal?: AbortSignal;
}

export interface ResolvedWait {
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

export function resolveWait(options: unknown, defaultTimeoutMs: number): ResolvedWait {
  const opts = optionsObject<WaitOptions>(options, 'options');
  const timeoutMs = opts.timeoutMs === undefined ? defaultTimeoutMs : timeoutValue(opts.timeoutMs);
  const signal = opts.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw typeError('an AbortSignal', 'signal', signal);
  return { timeoutMs, signal };
}

/**
 * Run a native Promise wait. `start` receives the timeout and, when a signal is given, a cancel
 * token the signal fires. Never throws: every failure is a rejection.
 */
export function waitAsync(
  options: unknown,
  defaultTimeoutMs: number,
  start: (timeoutMs: number, token?: NativeCancelToken) => Promise<void>,
): Promise<void> {
  const origin: { stack?: string } = {};
  Error.captureStackTrace(origin, waitAsync);
  let resolved: ResolvedWait;
  try {
    resolved = resolveWait(options, defaultTimeoutMs);
  } catch (error) {
    return Promise.reject(error);
  }
  const { timeoutMs, signal } = resolved;
  if (signal?.aborted) return Promise.reject(signal.reason);
  let native: Promise<void>;
  const token = signal ? new addon.NativeCancelToken() : undefined;
  try {
    native = start(timeoutMs, token);
  } catch (error) {
    return Promise.reject(withCallerStack(error, origin));
  }
  if (!signal || !token) return native.catch((error: unknown) => Promise.reject(withCallerStack(error, origin)));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      token.cancel();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    native.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(withCallerStack(error, origin));
      },
    );
  });
}

/** The synchronous twin: validates, refuses an already aborted signal, then blocks. */
export function waitSync(options: unknown, defaultTimeoutMs: number, run: (timeoutMs: number) => void): void {
  const { timeoutMs, signal } = resolveWait(options, defaultTimeoutMs);
  if (signal?.aborted) throw signal.reason;
  run(timeoutMs);
}
