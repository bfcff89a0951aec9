#!/usr/bin/env node
// npm run fuzz -- <seconds> [target...]: builds the libFuzzer targets of native/fuzz with clang
// (ASan+UBSan, CMake in build-fuzz/) and runs each for <seconds> (default 60), starting from the
// committed seeds (native/fuzz/seeds) and the corpus earlier runs grew (build-fuzz/corpus/<target>).
// A finding stops that target and is saved as build-fuzz/artifacts/<target>-crash-...; the
// command then exits non-zero. Ends with one line per target: executions, exec/s, coverage.
//
// Needs clang and libclang-rt-14-dev (Debian). Targets: onnx_reader_fuzz, model_loader_fuzz.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'build-fuzz');
const all = ['onnx_reader_fuzz', 'model_loader_fuzz'];
const args = process.argv.slice(2);
const seconds = Number(args.find((a) => /^\d+$/.test(a)) ?? 60);
const targets = args.filter((a) => !/^\d+$/.test(a));
for (const t of targets) if (!all.includes(t)) throw new Error(`unknown fuzz target ${t} (${all.join(', ')})`);
const selected = targets.length > 0 ? targets : all;

// -max_len: the reader's structure is reached by small inputs (4 KiB; the larger seeds are cut,
// which is a fine mutation too); the loader gets 16 KiB so the fixture models run whole.
// -rss_limit_mb / -malloc_limit_mb: the reader promises never to allocate much more than the
// input holds, so a single allocation of 256 MiB from <= 16 KiB of input is a finding.
const maxLen = { onnx_reader_fuzz: 4096, model_loader_fuzz: 16384 };
// -entropic=0: with the loader's ~90k coverage counters, libFuzzer's entropic schedule spent half
// of all CPU time in InputCorpus::UpdateFeatureFrequency (perf); without it the same inputs run
// more than twice as fast.
const flags = ['-entropic=0', '-rss_limit_mb=2048', '-malloc_limit_mb=256', '-timeout=10', '-print_final_stats=1',
  '-use_value_profile=0', `-dict=${join(root, 'native', 'fuzz', 'onnx.dict')}`];

function build() {
  const env = { ...process.env, CC: 'clang', CXX: 'clang++' };
  // -O1 with line tables: what libFuzzer's docs recommend with ASan, symbolized reports, and a
  // build of the whole simulator that takes minutes rather than tens of minutes.
  execFileSync('cmake', ['-S', root, '-B', dir, '-DCMAKE_BUILD_TYPE=Release', '-DCMAKE_CXX_FLAGS_RELEASE=-O1 -gline-tables-only',
    '-DCMAKE_C_FLAGS_RELEASE=-O1 -gline-tables-only', '-DASCENDCL_FUZZ=ON', '-DASCENDCL_TESTS=OFF'], { stdio: 'inherit', env });
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
    child.on('close', (code) => {
      const stat = (name) => log.match(new RegExp(`stat::${name}:\\s*(\\d+)`))?.[1] ?? '?';
      const progress = [...log.matchAll(/#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/g)].pop();
      resolve({ target, code, execs: stat('number_of_executed_units'), perSecond: stat('average_exec_per_sec'),
        cov: progress?.[2] ?? '?', ft: progress?.[3] ?? '?', corpus: progress?.[4] ?? '?', rss: stat('peak_rss_mb') });
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
    `${seconds} s, ${r.execs} executions, ${r.perSecond} exec/s, cov ${r.cov}, ft ${r.ft}, corpus ${r.corpus}, ` +
    `peak RSS ${r.rss} MiB`);
}
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
