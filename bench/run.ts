// npm run bench: every suite, a table on stdout, bench/results.json (rows plus the machine) and
// bench/results.md (the same as a document, with lscpu). `npm run bench -- copy tiny` runs only
// the named suites; `npm run bench -- --report` rewrites results.md from results.json;
// BENCH_QUICK=1 shortens every suite.
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
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

function lscpuText(): string {
  try {
    return execFileSync('lscpu', { encoding: 'utf8' });
  } catch {
    return '(lscpu unavailable)';
  }
}

function machine(): Record<string, unknown> {
  const lscpu = lscpuText();
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
    lscpu: lscpu
      .split('\n')
      .filter((line) => /^(Architecture|Model name|CPU\(s\)|Thread|Core|Socket|L1d|L2|L3|CPU max MHz|BogoMIPS|Flags)/.test(line))
      .map((line) => line.replace(/\s+/g, ' ').trim()),
  };
}

interface Results {
  started: string;
  quick: boolean;
  machine: Record<string, unknown>;
  rows: Row[];
}

function cells(r: Row): string[] {
  return [
    r.group,
    r.name,
    `${formatNumber(r.value)} ${r.unit}`,
    `${formatNumber(r.baseline)} ${r.unit}`,
    `${formatNumber(r.ratio)}×`,
    r.target ? `${r.target.text} ${r.pass ? 'PASS' : 'MISS'}` : '',
    r.baselineName,
  ];
}

function markdown(results: Results): string {
  const m = results.machine;
  const missed = results.rows.filter((r) => r.pass === false);
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.ts) from the run started ${results.started}${results.quick ? ' (BENCH_QUICK)' : ''}.`,
    'Every ratio is against a baseline measured in the same process, interleaved rep by rep; see',
    'bench/README.md for what each row times and with which clock.',
    '',
    '## Machine',
    '',
    `- CPU: ${String(m.cpu)}, ${String(m.cpus)} CPUs, ${String(m.clockMhz)} MHz as /proc/cpuinfo reports it`,
    `- vector extensions: ${(m.flags as string[]).join(', ')}; simulator ISA: ${String(m.isa)}`,
    `- Node ${String(m.node)}, onnxruntime-node ${String(m.onnxruntime)}`,
    `- load average at the end of the run: ${(m.loadAverage as number[]).map((x) => x.toFixed(1)).join(', ')} (the machine is shared)`,
    '',
    '```',
    ...((m.lscpu as string[] | undefined) ?? []),
    '```',
    '',
    '## Results',
    '',
    '| group | measurement | value | baseline | ratio | target | baseline is |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.rows.map((r) => `| ${cells(r).join(' | ')} |`),
    '',
    missed.length === 0
      ? 'Every target holds.'
      : `Missed: ${missed.map((r) => `${r.name} (${formatNumber(r.target?.ofValue ? r.value : r.ratio)} against ${r.target?.text})`).join('; ')}.`,
    '',
  ];
  return lines.join('\n');
}

function printTable(rows: Row[]): void {
  const lines = rows.map(cells);
  const head = ['group', 'measurement', 'value', 'baseline', 'ratio', 'target', 'baseline is'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(format(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const out = path.join(ROOT, 'bench/results.json');
  if (process.argv.includes('--report')) {
    writeFileSync(path.join(ROOT, 'bench/results.md'), markdown(JSON.parse(readFileSync(out, 'utf8')) as Results));
    return;
  }
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
  const results: Results = { started, quick: QUICK, machine: machine(), rows };
  writeFileSync(`${out}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${out}.tmp`, out);
  // results.md records full runs only; a partial run leaves the last full record alone.
  if (wanted.length === 0) writeFileSync(path.join(ROOT, 'bench/results.md'), markdown(results));
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

await main();
