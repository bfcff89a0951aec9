// Every example runs, on the simulator, exactly as the README tells users to run it.
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExample } from './helpers.js';

const sim = { ASCENDCL_BACKEND: 'sim' };

t.test('examples/devices.ts lists every device with its memory', async (t) => {
  const result = await runExample('devices.ts', [], { env: { ...sim, ASCENDCL_SIM_DEVICES: '3', ASCENDCL_SIM_MEMORY: '2GiB' } });
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /backend\s+sim/);
  t.match(result.stdout, /SoC\s+Ascend910B4/);
  t.match(result.stdout, /devices\s+3/);
  const rows = result.stdout.split('\n').filter((line) => /^\d+\s+ok\s/.test(line));
  t.equal(rows.length, 3, 'one row per device');
  t.match(rows[2] ?? '', /0\.00 \/ 2\.00/);
});

t.test('examples/streams.ts overlaps two streams and checks its data', async (t) => {
  const result = await runExample('streams.ts', ['8'], { env: sim });
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /lane 0: h2d [\d.]+ ms .*data ok/);
  t.match(result.stdout, /lane 1: h2d [\d.]+ ms .*data ok/);
  t.match(result.stdout, /after its upload \(host function\)/);
  t.match(result.stdout, /overlap: (yes|no)/);
});

t.test('examples/classify.ts (npm run demo) classifies the held-out digits', async (t) => {
  const result = await runExample('classify.ts', [], { env: sim, timeoutMs: 120000 });
  t.equal(result.code, 0, result.stderr);
  const accuracy = Number(/^accuracy: ([\d.]+)/m.exec(result.stdout)?.[1]);
  t.ok(accuracy >= 0.9, `accuracy ${accuracy} >= 0.9`);
  t.match(result.stdout, /latency per image: p50 [\d.]+ ms, p99 [\d.]+ ms/);
  t.match(result.stdout, /batched: accuracy 0\.9\d+/);
});

t.test('examples/pipeline.ts overlaps its two streams, and its trace shows it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-'));
  const tracePath = join(dir, 'trace.json');
  const result = await runExample('pipeline.ts', [tracePath], { env: sim, timeoutMs: 120000 });
  t.equal(result.code, 0, result.stderr);
  const accuracy = Number(/accuracy ([\d.]+)/.exec(result.stdout)?.[1]);
  t.ok(accuracy >= 0.9, `accuracy ${accuracy}`);
  const trace = JSON.parse(readFileSync(tracePath, 'utf8')) as { traceEvents: Record<string, unknown>[] };
  const ops = trace.traceEvents.filter((e) => e.ph === 'X') as { name: string; ts: number; dur: number; pid: number; tid: number }[];
  for (const e of ops) {
    t.ok(
      typeof e.name === 'string' && typeof e.ts === 'number' && typeof e.dur === 'number' && e.pid === 0 && typeof e.tid === 'number',
      `fields of ${JSON.stringify(e)}`,
      { diagnostic: false },
    );
  }
  const tids = [...new Set(ops.map((e) => e.tid))];
  t.equal(tids.length, 2, 'two stream tracks');
  for (const tid of tids) {
    const names = ops.filter((e) => e.tid === tid).map((e) => e.name);
    t.equal(names.filter((n) => n === 'execute').length, 32, `32 executions on stream ${tid}`);
    t.equal(names.filter((n) => n === 'copy').length, 64, `64 copies on stream ${tid}`);
  }
  // The two streams were busy at the same time: some operation of one intersects one of the other.
  const [a, b] = tids.map((tid) => ops.filter((e) => e.tid === tid));
  let overlapUs = 0;
  for (const x of a!) for (const y of b!) overlapUs += Math.max(0, Math.min(x.ts + x.dur, y.ts + y.dur) - Math.max(x.ts, y.ts));
  t.ok(overlapUs > 0, `the streams overlap for ${overlapUs.toFixed(1)} µs`);
  t.match(result.stdout, /overlap: [\d.]+ ms with both streams busy/);
});

t.test('examples/server.ts serves over HTTP and batches concurrent requests into gears', async (t) => {
  const result = await runExample('server.ts', ['--requests', '300', '--concurrency', '32'], { env: sim, timeoutMs: 120000 });
  t.equal(result.code, 0, result.stderr);
  const parse = (name: string) => {
    const m = new RegExp(`^${name}: 300 requests, 32 concurrent: ([\\d.]+) req/s, p50 ([\\d.]+) ms, p99 ([\\d.]+) ms, mean batch ([\\d.]+), accuracy ([\\d.]+)$`, 'm').exec(result.stdout);
    t.ok(m, `${name} line`, { stdout: result.stdout });
    return { throughput: Number(m?.[1]), p99: Number(m?.[3]), meanBatch: Number(m?.[4]), accuracy: Number(m?.[5]) };
  };
  const off = parse('batching off');
  const on = parse('batching on');
  t.equal(off.meanBatch, 1, 'without batching every request runs alone');
  t.ok(on.meanBatch > 1, `with batching requests share runs (mean batch ${on.meanBatch})`);
  t.ok(off.accuracy >= 0.9 && on.accuracy >= 0.9, 'padding to a gear does not change the answers');
  t.ok(off.throughput > 0 && on.throughput > 0 && off.p99 > 0 && on.p99 > 0);
  t.match(result.stdout, /throughput with batching: [\d.]+x, p99 [\d.]+x/);
});
