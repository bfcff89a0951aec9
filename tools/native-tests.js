#!/usr/bin/env node
// Build the simulator and its GoogleTest suite with CMake and run it under ctest.
//   node tools/native-tests.js [address|thread]   (a sanitizer build in build-asan / build-tsan)
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sanitizer = process.argv[2] ?? '';
const dir = join(root, sanitizer === 'address' ? 'build-asan' : sanitizer === 'thread' ? 'build-tsan' : 'build-native');
const run = (cmd, args, env = {}) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

try {
  run('cmake', ['-S', root, '-B', dir, '-DCMAKE_BUILD_TYPE=RelWithDebInfo', `-DASCENDCL_SANITIZE=${sanitizer}`]);
  run('cmake', ['--build', dir, '-j', String(availableParallelism()), '--target', 'sim_tests']);
  run('ctest', ['--test-dir', dir, '--output-on-failure', '-j', String(availableParallelism())], {
    ASAN_OPTIONS: 'detect_leaks=1',
    UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
    TSAN_OPTIONS: 'halt_on_error=1',
  });
} catch (error) {
  process.exitCode = typeof error.status === 'number' ? error.status : 1;
}
