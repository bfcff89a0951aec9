// `ascendcl info [--json]`: acl.diagnose(), readable or as JSON.
import { diagnose, formatDiagnosis } from '../diagnose.js';

export function info(opts: { json?: boolean; libraryPath?: string }): void {
  const diagnosis = diagnose(opts.libraryPath ? { libraryPath: opts.libraryPath } : {});
  process.stdout.write(opts.json ? `${JSON.stringify(diagnosis, null, 2)}\n` : `${formatDiagnosis(diagnosis)}\n`);
}
