// The `ascendcl` command, spawned as users run it (the package's bin, dist/cli/main.js).
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, parse } from 'npyjs';
import { root, runScript, stubLibrary } from './helpers.js';

const cli = join(root, 'dist', 'cli', 'main.js');
const tiny = join(root, 'test', 'fixtures', 'models', 'tiny.onnx');
const digits = join(root, 'models', 'digits');
const env = { ASCENDCL_BACKEND: 'sim', ASCENDCL_SIM_DEVICES: '2', ASCENDCL_SIM_MEMORY: '1GiB' };
const ascendcl = (...args: string[]) => runScript(cli, args, { env, timeoutMs: 60000 });
const scratch = mkdtempSync(join(tmpdir(), 'ascendcl-cli-'));

const npy = (path: string) => {
  const bytes = readFileSync(path);
  return parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

t.test('info --json reports the backend, the devices and the search', async (t) => {
  const r = await ascendcl('info', '--json');
  t.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  t.equal(d.backend, 'sim');
  t.equal(d.deviceCount, 2);
  t.equal(d.devices.length, 2);
  t.equal(d.devices[1].memory.total, 2 ** 30);
  t.ok(d.search.length >= 2);
  t.equal(d.stubCheck.performed, true);
  t.ok('ASCEND_RT_VISIBLE_DEVICES' in d.env);
  t.ok(Array.isArray(d.problems));
});

t.test('info prints a readable report; --library-path shows a stub', async (t) => {
  const r = await ascendcl('info', '--library-path', stubLibrary);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /backend\s+sim/);
  t.match(r.stdout, /devices\s+2/);
  t.match(r.stdout, /STUB\s+\S*libacl_test_stub\.so/);
  t.match(r.stdout, /\[error\].*stub[\s\S]*fix:/);
});

t.test('inspect lists names, dims, types, formats, sizes and gears', async (t) => {
  const json = await ascendcl('inspect', join(digits, 'model.onnx'), '--dynamic-batch', '1,8,32', '--json');
  t.equal(json.code, 0, json.stderr);
  const d = JSON.parse(json.stdout);
  t.same(d.inputs[0], { name: 'image', dims: [-1, 64], dataType: 'float32', format: 'ND', byteSize: 32 * 64 * 4 });
  t.equal(d.outputs[0].name, 'probabilities');
  t.same(d.dynamicBatch, [1, 8, 32]);
  const text = await ascendcl('inspect', tiny);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /inputs:\n\s+name\s+dims\s+type\s+format\s+bytes\n\s+x\s+\[16, 16\]\s+float32\s+ND\s+1024/);
  t.match(text.stdout, /outputs:\n.*\n\s+y\s+\[16, 16\]\s+float32/);
  t.match(text.stdout, /dynamic batch: none/);
});

t.test('run reports latency percentiles, throughput and output shapes', async (t) => {
  const r = await ascendcl('run', tiny, '--iterations', '30', '--warmup', '3', '--json');
  t.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const l = report.latencyMs;
  t.ok(l.min > 0 && l.min <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max, JSON.stringify(l));
  t.ok(report.throughput.inferencesPerSecond > 0);
  t.equal(report.iterations, 30);
  t.same(report.outputs, [{ name: 'y', dims: [16, 16], dataType: 'float32' }]);
  t.same(report.inputs, [{ name: 'x', dims: [16, 16], dataType: 'float32', source: 'random' }]);
});

t.test('run with .npy inputs, a gear, concurrency, --print and --trace', async (t) => {
  const images = npy(join(digits, 'test_images.npy'));
  const labels = npy(join(digits, 'test_labels.npy')).data as BigInt64Array;
  const input = join(scratch, 'eight.npy');
  writeFileSync(input, Buffer.from(dump((images.data as Float32Array).slice(0, 8 * 64), [8, 64])));
  const trace = join(scratch, 'run-trace.json');
  const r = await ascendcl(
    'run', join(digits, 'model.onnx'), '--dynamic-batch', '1,8,32', '--batch', '8', `--input`, `image=${input}`,
    '--concurrency', '2', '--iterations', '12', '--warmup', '2', '--print', '--trace', trace, '--json',
  );
  t.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  t.equal(report.batch, 8);
  t.equal(report.concurrency, 2);
  t.equal(report.throughput.samplesPerSecond, report.throughput.inferencesPerSecond * 8);
  const out = report.outputs[0];
  t.same(out.dims, [8, 10]);
  t.equal(out.values.length, 80);
  let correct = 0;
  for (let i = 0; i < 8; i++) {
    const row = out.values.slice(i * 10, i * 10 + 10) as number[];
    if (row.indexOf(Math.max(...row)) === Number(labels[i])) correct++;
  }
  t.ok(correct >= 7, `${correct} of 8 digits classified from the .npy input`);
  const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents.filter((e: { ph: string }) => e.ph === 'X');
  t.equal(events.filter((e: { name: string }) => e.name === 'execute').length, 12, 'one execute per timed iteration');
  t.equal(new Set(events.map((e: { tid: number }) => e.tid)).size, 2, 'a track per concurrent stream');

  const text = await ascendcl('run', tiny, '--iterations', '5', '--warmup', '0', '--print');
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /latency: min [\d.]+ ms, mean [\d.]+ ms, p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms/);
  t.match(text.stdout, /throughput: [\d.]+ inferences\/s/);
  t.match(text.stdout, /output y \[16, 16\] float32\n\s+\[[-\d.e,]+\]/);
});

t.test('run on a model with symbolic dims and no gears sizes the outputs per run', async (t) => {
  // The digits model's batch dim is symbolic: random inputs take batch 1 (or --batch), and the
  // runtime sizes the outputs, as the hardware's dynamic-shape mode does.
  const r = await ascendcl('run', join(digits, 'model.onnx'), '--batch', '3', '--concurrency', '2', '--iterations', '10', '--print', '--json');
  t.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  t.same(report.inputs, [{ name: 'image', dims: [3, 64], dataType: 'float32', source: 'random' }]);
  t.same(report.outputs[0].dims, [3, 10]);
  t.equal(report.outputs[0].values.length, 30);
  for (let i = 0; i < 3; i++) {
    const sum = (report.outputs[0].values.slice(i * 10, i * 10 + 10) as number[]).reduce((a, b) => a + b, 0);
    t.ok(Math.abs(sum - 1) < 1e-4, `row ${i} is a probability distribution (sum ${sum})`);
  }
  t.ok(report.latencyMs.p50 > 0 && report.latencyMs.p99 >= report.latencyMs.p50);
});

t.test('errors are one line on stderr and exit 1', async (t) => {
  const cases: [string[], RegExp][] = [
    [['run', join(scratch, 'missing.onnx')], /145002|missing\.onnx/],
    [['run', tiny, '--input', 'nope=random'], /no input 'nope' \(inputs: x\)/],
    [['run', tiny, '--iterations', '0'], /positive integer for --iterations/],
    [['run', join(digits, 'model.onnx'), '--dynamic-batch', '1,8', '--batch', '4'], /not a gear.*1, 8/],
    [['inspect'], /missing required argument 'model'/],
  ];
  for (const [args, message] of cases) {
    const r = await ascendcl(...args);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
  }
});
