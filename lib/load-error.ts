// AclLoadError lives apart from errors.ts because the addon loader (native.ts) throws it before
// the addon — which errors.ts needs — exists.

/** One place the loader looked for the AscendCL runtime, and why it was not used. */
export interface LoadAttempt {
  path: string;
  reason: string;
}

/**
 * The 'npu' backend could not load the AscendCL runtime (libascendcl.so), or — at import — no
 * build of the native addon itself loads. `attempts` lists every place tried and why it failed;
 * `acl.diagnose()` reports the full picture.
 */
export class AclLoadError extends Error {
  readonly attempts: LoadAttempt[];

  /**
   * @param message what could not be loaded, for what ("cannot load the AscendCL runtime
   *   libascendcl.so for backend 'npu'")
   * @param attempts every place tried, and why it failed
   * @param advice what to do about it
   */
  constructor(message: string, attempts: LoadAttempt[], advice = '') {
    const tried = attempts.map((a) => `\n  - ${a.path}: ${a.reason}`).join('');
    super(`${message}. Tried:${tried || ' nothing'}${advice ? `\n${advice}` : ''}`);
    this.name = 'AclLoadError';
    this.attempts = attempts;
  }
}
