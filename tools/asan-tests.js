#!/usr/bin/env node
// npm run test:asan: the addon, the simulator and the native GoogleTest suite built once with
// AddressSanitizer + UndefinedBehaviorSanitizer (CMake through cmake-js, in build-asan-node/),
// the whole tap suite run against that addon, then the native tests under ctest with leak
// checking on. One build directory serves both, so the simulator is compiled once.
//
// Node itself is not instrumented, so the ASan runtime is LD_PRELOADed (it must come first), leak
// checking is off for the tap run (node's own allocations at exit are not ours to judge; the
// native run checks our leaks), and ASCENDCL_ADDON_DIR makes lib/native.ts load the ASan addon,
// which loads the ASan simulator from beside itself; ASCENDCL_SANITIZER=address lets a test skip
// the one measure ASan distorts (the soak's RSS bound). Every sanitizer report aborts the process
// that hit it and is also written under build-asan-node/reports/: the run is clean only when
// tap and ctest pass AND that directory is empty — a report in a child process whose exit a test
// expected still counts.
//
// Prints "asan: tap N passed, N failed; native N passed, N failed; reports N" last.
//   node tools/asan-tests.js [--skip-native] [tap args...]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'build-asan-node');
const reports = join(dir, 'reports');
const args = process.argv.slice(2);
const skipNative = args.includes('--skip-native');
const tapArgs = args.filter((a) => a !== '--skip-native');
const jobs = String(availableParallelism());
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

function run(cmd, argv, options = {}) {
  execFileSync(cmd, argv, { cwd: root, stdio: 'inherit', ...options });
}

// cmake-js builds against this Node's own headers (as tools/prebuild.js does), never downloads
// them: without npm_config_nodedir it would fetch a header tarball from nodejs.org.
function cmakeJsEnv() {
  const env = { ...process.env };
  if (!env.npm_config_nodedir) env.npm_config_nodedir = dirname(dirname(process.execPath));
  const header = join(env.npm_config_nodedir, 'include', 'node', 'node_api.h');
  if (!existsSync(header)) throw new Error(`no Node headers at ${header}: set npm_config_nodedir to a Node install with its include/`);
  return env;
}

// The ASan runtime of the compiler CMake uses (gcc's libasan by default).
function asanRuntime() {
  const compiler = process.env.CXX || 'g++';
  const path = execFileSync(compiler, ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
  if (!existsSync(path)) throw new Error(`${compiler} has no libasan.so (${path})`);
  return path;
}

// tap's "# { total: N, pass: N, fail: N ... }" / ctest's "N tests failed out of M".
function tapCounts(out) {
  const line = out.match(/^# \{ total: \d+.*$/gm)?.pop() ?? '';
  return { pass: Number(line.match(/pass: (\d+)/)?.[1] ?? 0), fail: Number(line.match(/fail: (\d+)/)?.[1] ?? 0), line };
}
function ctestCounts(out) {
  const m = out.match(/(\d+) tests? failed out of (\d+)/g)?.pop()?.match(/(\d+) tests? failed out of (\d+)/);
  return m ? { pass: Number(m[2]) - Number(m[1]), fail: Number(m[1]) } : null;
}

let tap = { pass: 0, fail: 1 };
let native = { pass: 0, fail: skipNative ? 0 : 1 };
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
try {
  console.log('=== test:asan: build the TypeScript, then the addon, the simulator and the native tests with ASan+UBSan (build-asan-node)');
  // -O1 -g1 (line tables): ASan's recommended level, symbolized reports, and half the compile
  // time of -O2 -g on the whole simulator.
  run('npm', ['run', 'build:ts', '--silent']); // dist/, the JavaScript under test
  run('npx', ['cmake-js', 'configure', '--out', dir, '--CDASCENDCL_SANITIZE=address', '--CDCMAKE_BUILD_TYPE=Release',
    '--CDCMAKE_CXX_FLAGS_RELEASE=-O1 -g1', '--CDCMAKE_C_FLAGS_RELEASE=-O1 -g1',
    `--CDASCENDCL_TESTS=${skipNative ? 'OFF' : 'ON'}`, '-l', 'warn'], { env: cmakeJsEnv() });
  const targets = ['ascendcl', 'ascendcl_sim', 'acl_test_stub', 'acl_test_partial', 'fork_test', ...(skipNative ? [] : ['sim_tests'])];
  run('cmake', ['--build', dir, '-j', jobs, '--target', ...targets]);
  console.log(`=== test:asan: built (${seconds()})`);

  const env = {
    ...process.env,
    LD_PRELOAD: asanRuntime(),
    ASCENDCL_ADDON_DIR: join(dir, 'Release'),
    // Tests whose measure the sanitizer distorts (the soak's RSS bound) skip that one assertion.
    ASCENDCL_SANITIZER: 'address',
    ASAN_OPTIONS: `detect_leaks=0:abort_on_error=1:log_path=${join(reports, 'asan')}`,
    UBSAN_OPTIONS: `halt_on_error=1:print_stacktrace=1:log_path=${join(reports, 'ubsan')}`,
  };
  console.log('=== test:asan: tap against the ASan build');
  // Under ASan everything is 2-3x slower: a longer per-file timeout than tap's default.
  const result = spawnSync('npx', ['tap', '--reporter=tap', '--timeout=360', ...tapArgs], {
    cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 30,
  });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  tap = tapCounts(result.stdout);
  if (!tap.line || (result.status !== 0 && tap.fail === 0)) tap.fail += 1;
  console.log(`=== test:asan: tap done (${seconds()})`);
} catch (error) {
  console.error(`test:asan: ${error.message}`);
}

if (!skipNative) {
  console.log('=== test:asan: native tests under ASan+UBSan, leak checking on');
  const result = spawnSync('ctest', ['--test-dir', dir, '--output-on-failure', '-j', jobs], {
    cwd: root, encoding: 'utf8', maxBuffer: 1 << 30,
    env: {
      ...process.env,
      ASAN_OPTIONS: `detect_leaks=1:log_path=${join(reports, 'native-asan')}`,
      UBSAN_OPTIONS: `halt_on_error=1:print_stacktrace=1:log_path=${join(reports, 'native-ubsan')}`,
    },
  });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  native = ctestCounts(result.stdout) ?? { pass: 0, fail: 1 };
  if (result.status !== 0 && native.fail === 0) native.fail += 1;
  console.log(`=== test:asan: native done (${seconds()})`);
}

const found = existsSync(reports) ? readdirSync(reports) : [];
for (const file of found) {
  console.log(`--- sanitizer report ${file}`);
  console.log(readFileSync(join(reports, file), 'utf8'));
}
console.log(`asan: tap ${tap.pass} passed, ${tap.fail} failed; native ${native.pass} passed, ${native.fail} failed; ` +
  `reports ${found.length} (${seconds()})`);
process.exitCode = tap.fail + native.fail + found.length === 0 ? 0 : 1;
