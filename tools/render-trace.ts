// Renders a Chrome trace (rt.trace.stop(), ascendcl run --trace) as an SVG timeline — one row
// per stream, one box per operation, coloured by kind — and screenshots it with headless
// Chromium into a PNG for the docs.
//
//   npx tsx tools/render-trace.ts trace.json docs/images/pipeline-trace.png [title]
//   (needs Debian's chromium: apt-get install chromium)
//
// Hand-written rather than a charting library: it is ~100 lines of SVG, and the picture must
// look like the trace viewers users will open the file in (tracks, boxes, a time axis).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur: number;
  pid: number;
  tid: number;
}

const COLORS: Record<string, string> = {
  copy: '#4e79a7',
  fill: '#76b7b2',
  execute: '#f28e2b',
  hostFunc: '#59a14f',
  record: '#9c755f',
  wait: '#bab0ac',
};

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function traceSvg(events: TraceEvent[], title: string, width = 1200): string {
  const ops = events.filter((e) => e.ph === 'X');
  const tracks = [...new Set(ops.map((e) => `${e.pid}:${e.tid}`))].sort();
  const t0 = Math.min(...ops.map((e) => e.ts));
  const t1 = Math.max(...ops.map((e) => e.ts + e.dur));
  const left = 130;
  const right = 20;
  const top = 50;
  const row = 46;
  const height = top + tracks.length * row + 70;
  const x = (ts: number) => left + ((ts - t0) / (t1 - t0 || 1)) * (width - left - right);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="bold">${escape(title)}</text>`,
  ];
  tracks.forEach((track, i) => {
    const [pid, tid] = track.split(':');
    const y = top + i * row;
    parts.push(`<rect x="0" y="${y}" width="${width}" height="${row}" fill="${i % 2 ? '#f7f7f7' : '#eef1f5'}"/>`);
    parts.push(`<text x="10" y="${y + row / 2 + 5}">device ${pid} · stream ${tid}</text>`);
    for (const e of ops.filter((op) => `${op.pid}:${op.tid}` === track)) {
      const x0 = x(e.ts);
      const w = Math.max(0.8, x(e.ts + e.dur) - x0);
      parts.push(
        `<rect x="${x0.toFixed(2)}" y="${y + 8}" width="${w.toFixed(2)}" height="${row - 16}" fill="${COLORS[e.name] ?? '#e15759'}" stroke="#fff" stroke-width="0.4"><title>${escape(e.name)} ${e.dur.toFixed(1)} µs</title></rect>`,
      );
    }
  });
  // Time axis in ms.
  const axisY = top + tracks.length * row + 8;
  const spanMs = (t1 - t0) / 1000;
  const step = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((s) => spanMs / s <= 10) ?? 1000;
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${width - right}" y2="${axisY}" stroke="#333"/>`);
  for (let ms = 0; ms <= spanMs + 1e-9; ms += step) {
    const tx = x(t0 + ms * 1000);
    parts.push(`<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${axisY + 5}" stroke="#333"/>`);
    parts.push(`<text x="${tx}" y="${axisY + 18}" text-anchor="middle">${Number(ms.toFixed(2))} ms</text>`);
  }
  const used = [...new Set(ops.map((e) => e.name))];
  used.forEach((name, i) => {
    const lx = left + i * 120;
    parts.push(`<rect x="${lx}" y="${axisY + 32}" width="14" height="14" fill="${COLORS[name] ?? '#e15759'}"/>`);
    parts.push(`<text x="${lx + 20}" y="${axisY + 44}">${escape(name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const [input, output, title = 'examples/pipeline.ts: two streams'] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: tsx tools/render-trace.ts trace.json out.png [title]');
  process.exit(2);
}
const trace = JSON.parse(readFileSync(input, 'utf8')) as { traceEvents: TraceEvent[] };
const svg = traceSvg(trace.traceEvents, title);
const height = Number(/height="(\d+)"/.exec(svg)![1]);
const scratch = mkdtempSync(join(tmpdir(), 'render-trace-'));
try {
  const page = join(scratch, 'trace.html');
  writeFileSync(page, `<!doctype html><html><body style="margin:0">${svg}</body></html>`);
  const result = spawnSync(
    'chromium',
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--window-size=1200,${height}`, `--screenshot=${resolve(output)}`, `file://${page}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.status !== 0) throw new Error(`chromium failed (${result.error?.message ?? `exit ${result.status}`}): apt-get install chromium`);
  console.log(`wrote ${output}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
