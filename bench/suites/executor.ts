// Executor speed: the simulator's CPU executor against onnxruntime-node on the ResNet-18 stem and
// first stage at 224×224, and the GEMM kernel's GFLOP/s (four chained 1024³ MatMuls) against the
// core's float32 peak of 64 FLOP/cycle × the clock /proc/cpuinfo reports.
//
// The simulator's executor threads are fixed when AscendCL initialises, so each thread count
// runs in its own child process (`tsx bench/suites/executor.ts THREADS`), which times both
// runtimes interleaved rep by rep and prints its rows as JSON.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, open, Tensor } from '../../dist/index.js';
import { type ClockKind, QUICK, ROOT, type Row, median, nsPerAwait, reps, requireFromRoot, row } from '../harness.js';

export const CACHE = path.join(ROOT, 'bench/.cache');
export const RESNET = path.join(CACHE, 'resnet_stem.onnx');
const MATMUL = path.join(CACHE, 'matmul_chain_1024.onnx');
const CHAIN = 4; // MatMuls in the chain

/** Write the bench models into bench/.cache (python3-onnx). */
export function makeModels(): void {
  const result = spawnSync('/usr/bin/python3', [path.join(ROOT, 'bench/make_models.py'), CACHE], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('bench/make_models.py failed (python3-onnx and numpy are needed)');
}

export function clockMhz(): number {
  const match = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return match ? Number(match[1]) : 0;
}

// One thread: CPU time (robust on a shared machine); every core: wall time (the speed-up).
let clock: ClockKind = 'cpu';
const timeAsync = (fn: () => Promise<unknown>, iterations: number) => nsPerAwait(fn, iterations, clock);

async function measure(threads: number): Promise<Row[]> {
  const ort = requireFromRoot('onnxruntime-node') as typeof import('onnxruntime-node');
  const runtime = open({ backend: 'sim', sim: { threads } });
  const device = runtime.device(0);
  const rows: Row[] = [];
  const who = threads === 1 ? '1 thread' : `${threads} threads`;
  clock = threads === 1 ? 'cpu' : 'wall';
  try {
    // ResNet stem.
    const x = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i * 0.01));
    const ortSession = await ort.InferenceSession.create(RESNET, { intraOpNumThreads: threads, interOpNumThreads: 1 });
    const session = await InferenceSession.create(RESNET, { device });
    const ortFeeds = { input: new ort.Tensor('float32', x, [1, 3, 224, 224]) };
    const feeds = { input: new Tensor(x, [1, 3, 224, 224]) };
    const ortRun = () => ortSession.run(ortFeeds);
    const ourRun = () => Promise.resolve(session.runSync(feeds));
    const per = QUICK ? 2 : 5;
    await timeAsync(ortRun, 3);
    await timeAsync(ourRun, 3);
    const base: number[] = [];
    const ours: number[] = [];
    for (let r = 0; r < reps(15); r++) {
      base.push(await timeAsync(ortRun, per));
      ours.push(await timeAsync(ourRun, per));
    }
    const b = median(base) / 1e6;
    const t = median(ours) / 1e6;
    rows.push(
      row({
        group: 'executor',
        name: `ResNet-18 stem 224², ${who}`,
        value: t,
        unit: 'ms/run',
        baselineName: `onnxruntime-node, ${who}`,
        baseline: b,
        ratio: t / b,
        ...(threads === 1 ? { target: { max: 2, text: '≤ 2× onnxruntime' } } : {}),
      }),
    );
    session.close();
    await ortSession.release();

    // GEMM through a 1024³ MatMul model.
    const n = 1024;
    const a = new Float32Array(n * n).map((_, i) => Math.cos(i * 0.001));
    const mm = await InferenceSession.create(MATMUL, { device });
    const ortMm = await ort.InferenceSession.create(MATMUL, { intraOpNumThreads: threads, interOpNumThreads: 1 });
    const mmFeeds = { x: new Tensor(a, [n, n]) };
    const ortMmFeeds = { x: new ort.Tensor('float32', a, [n, n]) };
    const mmRun = () => Promise.resolve(mm.runSync(mmFeeds));
    const ortMmRun = () => ortMm.run(ortMmFeeds);
    await timeAsync(mmRun, 2);
    await timeAsync(ortMmRun, 2);
    const ours2: number[] = [];
    const ort2: number[] = [];
    for (let r = 0; r < reps(11); r++) {
      ort2.push(await timeAsync(ortMmRun, 2));
      ours2.push(await timeAsync(mmRun, 2));
    }
    const flops = CHAIN * 2 * n * n * n;
    const peak = (64 * clockMhz() * threads) / 1e3;
    const gflops = flops / median(ours2);
    rows.push(
      row({
        group: 'executor',
        name: `GEMM 4 × 1024³ (MatMul chain), ${who}`,
        value: gflops,
        unit: 'GFLOP/s',
        baselineName: `64 FLOP/cycle × ${clockMhz().toFixed(0)} MHz × ${threads} (onnxruntime: ${(flops / median(ort2)).toFixed(1)} GFLOP/s)`,
        baseline: peak,
        ratio: gflops / peak,
        note: 'ratio = fraction of peak',
      }),
    );
    mm.close();
    await ortMm.release();
  } finally {
    runtime.close();
  }
  return rows;
}

/** Run the executor rows for 1 thread and for every core, each in a child process. */
export function executorRows(): Row[] {
  const rows: Row[] = [];
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  for (const threads of [...new Set([1, os.availableParallelism()])]) {
    const child = spawnSync(tsx, [fileURLToPath(import.meta.url), String(threads)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    if (child.status !== 0) throw new Error(`executor bench (${threads} threads) failed: exit ${child.status}`);
    rows.push(...(JSON.parse(child.stdout.trim().split('\n').pop()!) as Row[]));
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const threads = Number(process.argv[2] ?? 1);
  process.stdout.write(`${JSON.stringify(await measure(threads))}\n`);
}
