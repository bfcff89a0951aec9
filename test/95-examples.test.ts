// Every example runs, on the simulator, exactly as the README tells users to run it.
import t from 'tap';
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
