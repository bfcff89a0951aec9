#!/usr/bin/env node
// npm run fuzz -- <seconds> [target...] [--jobs N]: builds the libFuzzer targets of native/fuzz
// with clang (ASan+UBSan, CMake in build-fuzz/) and runs each for <seconds> (default 60), starting
// from the committed seeds (native/fuzz/seeds) and the corpus earlier runs grew
// (build-fuzz/corpus/<target>). A finding stops that target and is saved as
// build-fuzz/artifacts/<target>-crash-... (or leak-, oom-, timeout-); the command then exits
// non-zero. Ends with one line per target: executions, exec/s, coverage.
//
// --jobs N (default: every core) runs N fuzzing processes at once in libFuzzer's fork mode; they
// share and merge one corpus, and the executions reported are all of theirs. With N = 1 a single
// process fuzzes, as libFuzzer does by default.
//
// Needs clang and libclang-rt-14-dev (Debian). Targets: onnx_reader_fuzz, model_loader_fuzz.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'build-fuzz');
const all = ['onnx_reader_fuzz', 'model_loader_fuzz'];
const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: { jobs: { type: 'string', default: String(availableParallelism()) } },
});
const seconds = Number(positionals.find((a) => /^\d+$/.test(a)) ?? 60);
const targets = positionals.filter((a) => !/^\d+$/.test(a));
for (const t of targets) if (!all.includes(t)) throw new Error(`unknown fuzz target ${t} (${all.join(', ')})`);
const selected = targets.length > 0 ? targets : all;
const jobs = Number(options.jobs);
if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, not ${options.jobs}`);

// -max_len: the reader's structure is reached by small inputs (4 KiB; the larger seeds are cut,
// which is a fine mutation too); the loader gets 16 KiB so the fixture models run whole.
// -rss_limit_mb / -malloc_limit_mb: the reader promises never to allocate much more than the
// input holds, so a single allocation of 256 MiB from <= 16 KiB of input is a finding.
const maxLen = { onnx_reader_fuzz: 4096, model_loader_fuzz: 16384 };
// -entropic=0: with the loader's ~90k coverage counters, libFuzzer's entropic schedule spent half
// of all CPU time in InputCorpus::UpdateFeatureFrequency (perf); without it the same inputs run
// more than twice as fast.
// In fork mode libFuzzer by default counts timeouts and out-of-memory inputs and goes on; here
// they are findings, as in a single process.
const flags = ['-entropic=0', '-rss_limit_mb=2048', '-malloc_limit_mb=256', '-timeout=10', '-print_final_stats=1',
  '-use_value_profile=0', `-dict=${join(root, 'native', 'fuzz', 'onnx.dict')}`,
  ...(jobs > 1 ? [`-fork=${jobs}`, '-ignore_crashes=0', '-ignore_timeouts=0', '-ignore_ooms=0'] : [])];

function build() {
  const env = { ...process.env, CC: 'clang', CXX: 'clang++' };
  // -O2 with line tables: symbolized reports, and the kernels the loader target runs on every
  // executed input optimised as the shipped build is (-O1 made them the largest share of a run).
  execFileSync('cmake', ['-S', root, '-B', dir, '-DCMAKE_BUILD_TYPE=Release', '-DCMAKE_CXX_FLAGS_RELEASE=-O2 -gline-tables-only',
    '-DCMAKE_C_FLAGS_RELEASE=-O2 -gline-tables-only', '-DASCENDCL_FUZZ=ON', '-DASCENDCL_TESTS=OFF'], { stdio: 'inherit', env });
  execFileSync('cmake', ['--build', dir, '-j', String(availableParallelism()), '--target', ...selected],
    { stdio: 'inherit', env });
}

function fuzz(target) {
  const corpus = join(dir, 'corpus', target);
  mkdirSync(corpus, { recursive: true });
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  const argv = [...flags, `-max_len=${maxLen[target]}`, `-max_total_time=${seconds}`, `-artifact_prefix=${join(dir, 'artifacts', `${target}-`)}`,
    corpus, join(root, 'native', 'fuzz', 'seeds')];
  return new Promise((resolve) => {
    const child = spawn(join(dir, 'Release', target), argv, {
      cwd: dir, stdio: ['ignore', 'inherit', 'pipe'],
      // A smaller quarantine and shorter allocation stacks than ASan's defaults: the same checks,
      // fewer fresh pages per input (the default 256 MiB quarantine dominates small inputs).
      env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:quarantine_size_mb=16:malloc_context_size=8',
        UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1' },
    });
    let log = '';
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      log = (log + chunk.toString()).slice(-200_000);
    });
    const started = performance.now();
    child.on('close', (code) => {
      const elapsed = (performance.now() - started) / 1000;
      if (jobs > 1) {
        // The fork-mode parent's progress lines: "#<executions>: cov: <c> ft: <f> corp: <n> exec/s <r> ...".
        const last = [...log.matchAll(/#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec\/s (\d+)/g)].pop();
        const execs = last ? Number(last[1]) : NaN;
        resolve({ target, code, execs: last?.[1] ?? '?', perSecond: last ? Math.round(execs / elapsed) : '?',
          cov: last?.[2] ?? '?', ft: last?.[3] ?? '?', corpus: last?.[4] ?? '?', rss: '?', elapsed });
        return;
      }
      const stat = (name) => log.match(new RegExp(`stat::${name}:\\s*(\\d+)`))?.[1] ?? '?';
      const progress = [...log.matchAll(/#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/g)].pop();
      resolve({ target, code, execs: stat('number_of_executed_units'), perSecond: stat('average_exec_per_sec'),
        cov: progress?.[2] ?? '?', ft: progress?.[3] ?? '?', corpus: progress?.[4] ?? '?', rss: stat('peak_rss_mb'), elapsed });
    });
  });
}

try {
  build();
} catch {
  console.error('fuzz: build failed (needs clang and libclang-rt-14-dev)');
  process.exit(1);
}
const results = [];
for (const target of selected) results.push(await fuzz(target));
console.log('');
for (const r of results) {
  console.log(`${r.target}: ${r.code === 0 ? 'no finding' : `FINDING (exit ${r.code}, see build-fuzz/artifacts)`}, ` +
    `${Math.round(r.elapsed)} s, ${jobs} job(s), ${r.execs} executions, ${r.perSecond} exec/s, cov ${r.cov}, ft ${r.ft}, ` +
    `corpus ${r.corpus}` + (jobs > 1 ? '' : `, peak RSS ${r.rss} MiB`));
}
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
