// Timing helpers shared by the suites. Every row pairs a measurement with a baseline taken in the
// same process, interleaved rep by rep so both see the same machine load; the row reports the
// medians and their ratio. The machine is shared, so medians of many short reps, never means.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));

export interface Target {
  /** The row passes when ratio <= max (lower is better)… */
  max?: number;
  /** …or ratio >= min (higher is better). */
  min?: number;
  /** What the target says, for the table. */
  text: string;
  /** Compare the row's value instead of its ratio (an absolute target such as a delay). */
  ofValue?: boolean;
}

export interface Row {
  group: string;
  name: string;
  value: number;
  unit: string;
  baselineName: string;
  baseline: number;
  /** value / baseline (for times), or as the suite defines it (documented per row). */
  ratio: number;
  target?: Target;
  pass?: boolean;
  note?: string;
}

export function row(r: Omit<Row, 'pass'>): Row {
  const out: Row = { ...r };
  if (r.target) {
    const x = r.target.ofValue ? r.value : r.ratio;
    out.pass = (r.target.max === undefined || x <= r.target.max) && (r.target.min === undefined || x >= r.target.min);
  }
  return out;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The tiny baseline addon: an empty Node-API function, and the process's CPU clock. */
export const baselineAddon = requireFromRoot('./build/Release/bench/bench_baseline.node') as {
  empty(): void;
  cpuNs(): number;
};

export function wallNs(): number {
  return Number(process.hrtime.bigint());
}

/**
 * The clock the bench times with. 'cpu' (the default) is the process's CPU time, for rows whose
 * work is CPU-bound and never waits on purpose: on a machine shared with other jobs, wall time
 * counts the time the process spent waiting for a core. 'wall' for rows whose cost includes
 * waiting (thread hand-offs, parallel speed-up, event-loop delay); BENCH_CLOCK=wall forces it.
 */
export type ClockKind = 'cpu' | 'wall';
export const CPU_CLOCK_OK = process.env.BENCH_CLOCK !== 'wall';
export function clockNs(kind: ClockKind): () => number {
  return kind === 'cpu' && CPU_CLOCK_OK ? baselineAddon.cpuNs : wallNs;
}
export function now(): number {
  return wallNs();
}

/** Nanoseconds per call of `fn`, over `iterations` calls (CPU time unless told). */
export function nsPerCall(fn: () => unknown, iterations: number, clock: ClockKind = 'cpu'): number {
  const read = clockNs(clock);
  const start = read();
  for (let i = 0; i < iterations; i++) fn();
  return (read() - start) / iterations;
}

/** How many calls fit in about `ms` milliseconds (for sizing reps of very different costs). */
export function calibrate(fn: () => unknown, ms: number): number {
  let n = 1;
  const read = clockNs('cpu');
  for (;;) {
    const start = read();
    for (let i = 0; i < n; i++) fn();
    const elapsed = (read() - start) / 1e6;
    if (elapsed >= ms / 4 || n >= 1 << 26) return Math.max(1, Math.round((n * ms) / Math.max(elapsed, 1e-3)));
    n *= 4;
  }
}

/**
 * Interleaved medians: `reps` rounds, each timing the baseline then the subject for `ms` worth
 * of calls. Returns ns per call of each.
 */
export function pairedNs(baseline: () => unknown, subject: () => unknown, reps: number, ms: number): [number, number] {
  const nb = calibrate(baseline, ms);
  const ns = calibrate(subject, ms);
  const b: number[] = [];
  const s: number[] = [];
  for (let r = 0; r < reps; r++) {
    b.push(nsPerCall(baseline, nb));
    s.push(nsPerCall(subject, ns));
  }
  return [median(b), median(s)];
}

/** Same, for asynchronous operations awaited one after another. */
/** Nanoseconds per awaited call of `fn`, one call after another. */
export async function nsPerAwait(fn: () => Promise<unknown>, iterations: number, clock: ClockKind): Promise<number> {
  const read = clockNs(clock);
  const start = read();
  for (let i = 0; i < iterations; i++) await fn();
  return (read() - start) / iterations;
}

export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6) return value.toExponential(2);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/** Reps scale with BENCH_QUICK=1 (CI smoke runs) so the suite can be exercised fast. */
export const QUICK = process.env.BENCH_QUICK === '1';
export function reps(full: number): number {
  return QUICK ? Math.max(3, Math.ceil(full / 5)) : full;
}
