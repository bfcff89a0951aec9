// npm run bench: every suite, a table on stdout, and bench/results.json (rows plus the machine).
// `npm run bench -- copy tiny` runs only the named suites; BENCH_QUICK=1 shortens every suite.
import { execFileSync } from 'node:child_process';
import { writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from '../dist/index.js';
import { QUICK, ROOT, type Row, formatNumber, requireFromRoot } from './harness.js';
import { allocPairs } from './suites/alloc.js';
import { callOverhead } from './suites/call-overhead.js';
import { copyBandwidth } from './suites/copy.js';
import { eventLoop } from './suites/event-loop.js';
import { clockMhz, executorRows, makeModels } from './suites/executor.js';
import { tinyModel } from './suites/tiny-model.js';

const SUITES = ['call', 'alloc', 'copy', 'executor', 'tiny', 'eventloop'] as const;
type Suite = (typeof SUITES)[number];

function machine(): Record<string, unknown> {
  let lscpu = '';
  try {
    lscpu = execFileSync('lscpu', { encoding: 'utf8' });
  } catch {
    lscpu = '(lscpu unavailable)';
  }
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(lscpu)?.[1]?.trim();
  return {
    cpu: field('Model name') ?? os.cpus()[0]?.model,
    cpus: os.availableParallelism(),
    clockMhz: clockMhz(),
    flags: ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl'].filter((f) => new RegExp(`\\b${f}\\b`).test(lscpu)),
    loadAverage: os.loadavg(),
    node: process.version,
    onnxruntime: (requireFromRoot('onnxruntime-node/package.json') as { version: string }).version,
    isa: process.env.ASCENDCL_SIM_ISA ?? 'auto',
  };
}

function printTable(rows: Row[]): void {
  const lines = rows.map((r) => [
    r.group,
    r.name,
    `${formatNumber(r.value)} ${r.unit}`,
    `${formatNumber(r.baseline)} ${r.unit}`,
    `${formatNumber(r.ratio)}×`,
    r.target ? `${r.target.text} ${r.pass ? 'PASS' : 'MISS'}` : '',
    r.baselineName,
  ]);
  const head = ['group', 'measurement', 'value', 'baseline', 'ratio', 'target', 'baseline is'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(format(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const name of wanted) {
    if (!(SUITES as readonly string[]).includes(name)) throw new Error(`unknown suite ${name}; suites: ${SUITES.join(', ')}`);
  }
  const runs = (suite: Suite) => wanted.length === 0 || wanted.includes(suite);
  if (runs('executor') || runs('eventloop')) makeModels();
  const rows: Row[] = [];
  const started = new Date().toISOString();
  const runtime = open({ backend: 'sim' });
  try {
    if (runs('call')) rows.push(...callOverhead(runtime));
    if (runs('alloc')) rows.push(...allocPairs(runtime));
    if (runs('copy')) rows.push(...copyBandwidth(runtime));
    if (runs('tiny')) rows.push(...(await tinyModel(runtime)));
    if (runs('eventloop')) rows.push(...(await eventLoop(runtime)));
  } finally {
    runtime.close();
  }
  if (runs('executor')) rows.push(...executorRows());
  printTable(rows);
  const missed = rows.filter((r) => r.pass === false);
  console.log(missed.length === 0 ? '\nevery target holds' : `\nmissed: ${missed.map((r) => r.name).join('; ')}`);
  const out = path.join(ROOT, 'bench/results.json');
  writeFileSync(`${out}.tmp`, `${JSON.stringify({ started, quick: QUICK, machine: machine(), rows }, null, 2)}\n`);
  renameSync(`${out}.tmp`, out);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

await main();
