// Models: loading (path, bytes, .om beside .onnx), descriptions, execute (sync, queued,
// stream-ordered), dynamic batch, I/O types, and every error path.
import t from 'tap';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { gate, root } from './helpers.js';
import { compare, randomFloats, reference } from './reference.js';

const models = join(root, 'test', 'fixtures', 'models');
const tiny = join(models, 'tiny.onnx');

// The tiny model by hand: y = relu(x @ w + b), with w and b read through onnxruntime as a check.
async function tinyExpected(x: Float32Array): Promise<Float32Array> {
  const out = await reference(tiny, { x: { type: 'float32', data: x, dims: [16, 16] } });
  return out.y!.data as Float32Array;
}

t.test('loadModel describes inputs and outputs', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const model = await dev.loadModel(join(models, 'cnn.onnx'));
  t.equal(model.inputs.length, 1);
  t.same(model.inputs[0], { name: 'x', dims: [-1, 3, 16, 16], dataType: 'float32', format: 'NCHW', byteSize: 0 });
  t.same(model.outputs[0]!.name, 'prob');
  t.same(model.outputs[0]!.dims, [-1, 10]);
  t.equal(model.outputs[0]!.format, 'ND');
  t.equal(model.dynamicBatch, null);
  const small = dev.loadModelSync(readFileSync(tiny));
  t.same(small.inputs[0], { name: 'x', dims: [16, 16], dataType: 'float32', format: 'ND', byteSize: 1024 });
  t.equal(rt.stats().models, 2);
  model.close();
  small[Symbol.dispose]();
  t.equal(rt.stats().models, 0);
  t.equal(rt.sim!.stats().models, 0);
  rt.close();
});

t.test('execute and executeSync compute the model on device buffers', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const model = await dev.loadModel(tiny);
  const x = randomFloats(256, 7);
  const expected = await tinyExpected(x);
  const input = dev.alloc(1024);
  const output = dev.alloc(1024);
  input.write(x);
  await model.execute([input], [output]);
  t.equal(compare('float32', output.read(new Float32Array(256)), expected).worst, 0);
  output.write(new Float32Array(256));
  model.executeSync({ x: input }, { y: output });
  t.equal(compare('float32', output.read(new Float32Array(256)), expected).worst, 0);
  // Concurrent executions queue, each with its own result.
  const outs = [0, 1, 2, 3].map(() => dev.alloc(1024));
  await Promise.all(outs.map((out) => model.execute([input], [out])));
  for (const out of outs) t.equal(compare('float32', out.read(new Float32Array(256)), expected).worst, 0);
  rt.close();
});

t.test('executeSync behind a stream execution that waits for a host function throws instead of deadlocking', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const model = await dev.loadModel(tiny);
  const s = dev.createStream();
  const x = dev.alloc(1024);
  const y = dev.alloc(1024);
  x.write(randomFloats(256, 3));
  const held = gate();
  s.hostFunc(() => held.promise); // needs this (the JS) thread to finish
  s.execute(model, [x], [y]);
  // Waiting for that execution on the JS thread could never end: a clear AclError instead.
  t.throws(() => model.executeSync([x], [y]), { name: 'AclError', code: 107000, api: 'model.executeSync', message: /host function.*await model\.execute\(\)/ });
  held.open();
  await s.synchronize();
  model.executeSync([x], [y]); // usable again once the host function is done
  t.equal(compare('float32', y.read(new Float32Array(256)), await tinyExpected(x.read(new Float32Array(256)))).worst, 0);
  rt.close();
});

t.test('stream.execute is ordered with copies; two streams never run one model at once', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const model = await dev.loadModel(tiny);
  const a = dev.createStream();
  const b = dev.createStream();
  const inputs = [randomFloats(256, 1), randomFloats(256, 2)];
  const expected = await Promise.all(inputs.map(tinyExpected));
  const lanes = [a, b].map((stream, i) => {
    const x = dev.alloc(1024);
    const y = dev.alloc(1024);
    const host = new Float32Array(256);
    stream.copy(x, inputs[i]!);
    stream.execute(model, [x], [y]);
    stream.copy(host, y);
    return { stream, host };
  });
  await Promise.all(lanes.map(({ stream }) => stream.synchronize()));
  lanes.forEach(({ host }, i) => t.equal(compare('float32', host, expected[i]!).worst, 0, `stream ${i}`));
  t.throws(() => a.execute('m' as never, [], []), { name: 'TypeError', message: /a Model for model/ });
  model.close();
  t.throws(() => a.execute(model, [], []), { name: 'AclClosedError', resource: 'Model' });
  rt.close();
});

t.test('dynamic batch: gears, hidden input, largest-gear sizes, and the chosen batch', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const path = join(models, 'gelu_layernorm.onnx');
  const model = await dev.loadModel(path, { dynamicBatch: [4, 1, 2, 2] });
  t.same(model.dynamicBatch, [1, 2, 4]);
  t.same(model.inputs.map((i) => i.name), ['x'], 'the hidden ascend_mbatch_shape_data input is not listed');
  t.same(model.inputs[0]!.dims, [-1, 32]);
  t.equal(model.inputs[0]!.byteSize, 4 * 32 * 4);
  t.equal(model.outputs[0]!.byteSize, 4 * 8 * 4);
  const input = dev.alloc(4 * 32 * 4);
  const output = dev.alloc(4 * 8 * 4);
  for (const batch of [1, 2, 4]) {
    const x = randomFloats(batch * 32, batch);
    input.write(x);
    await model.execute([input], [output], { batch });
    const ours = output.read(new Float32Array(batch * 8));
    const theirs = await reference(path, { x: { type: 'float32', data: x, dims: [batch, 32] } });
    t.equal(compare('float32', ours, theirs.y!.data).worst, 0, `batch ${batch} matches onnxruntime`);
  }
  await t.rejects(model.execute([input], [output], { batch: 3 }), { name: 'RangeError', message: /gears \[1, 2, 4\]/ });
  t.throws(() => model.executeSync([input], [output], { batch: 0 }), RangeError);
  const fixed = await dev.loadModel(tiny);
  await t.rejects(fixed.execute([input], [output], { batch: 1 }), { name: 'RangeError', message: /no dynamic-batch/ });
  rt.close();
});

t.test('inputTypes/outputTypes present float16 I/O as ATC would', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const model = await rt.device(0).loadModel(tiny, { inputTypes: { x: 'float16' }, outputTypes: { y: 'float16' } });
  t.equal(model.inputs[0]!.dataType, 'float16');
  t.equal(model.inputs[0]!.byteSize, 512);
  t.equal(model.outputs[0]!.dataType, 'float16');
  await t.rejects(rt.device(0).loadModel(tiny, { inputTypes: { nope: 'float16' } }), { code: 145000, message: /nope/ });
  t.throws(() => rt.device(0).loadModelSync(tiny, { inputTypes: { x: 'float8' as never } }), RangeError);
  rt.close();
});

t.test('load errors name the problem', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  await t.rejects(dev.loadModel('/nonexistent/net.onnx'), { name: 'AclError', code: 145002, api: 'aclmdlLoadFromFile' });
  const dir = mkdtempSync(join(tmpdir(), 'ascendcl-om-'));
  await t.rejects(dev.loadModel(join(dir, 'net.om')), { code: 145002 }, '.om without a sibling .onnx');
  copyFileSync(tiny, join(dir, 'net.onnx'));
  const om = await dev.loadModel(join(dir, 'net.om'));
  t.equal(om.inputs[0]!.name, 'x', 'an .om path runs the .onnx beside it');
  const bytes = readFileSync(tiny);
  await t.rejects(dev.loadModel(bytes.subarray(0, 100)), { code: 145000, api: 'aclmdlLoadFromMem' });
  const unsupported = (await dev.loadModel(join(models, 'unsupported.onnx')).catch((e: unknown) => e)) as acl.AclError;
  t.equal(unsupported.code, 145000);
  t.match(unsupported.message, /remainder/, 'names the node');
  t.match(unsupported.message, /Mod/, 'names the op');
  t.match(unsupported.message, /13/, 'names the opset');
  await t.rejects(dev.loadModel(42 as never), { name: 'TypeError', message: /path or a Uint8Array for model/ });
  await t.rejects(dev.loadModel(''), RangeError);
  await t.rejects(dev.loadModel(tiny, { dynamicBatch: [0] }), { name: 'RangeError', message: /dynamicBatch\[0\]/ });
  t.equal(dev.state, 'ok', 'load errors do not fault the device');
  rt.close();
});

t.test('execute errors: buffers of the wrong kind, count or size', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const model = await dev.loadModel(tiny);
  const ok = dev.alloc(1024);
  const small = dev.alloc(512);
  await t.rejects(model.execute([ok, ok], [ok]), { name: 'RangeError', message: /1 buffers \(x\)/ });
  await t.rejects(model.execute({ z: ok }, [ok]), { name: 'TypeError', message: /unknown input 'z': expected x/ });
  await t.rejects(model.execute({}, [ok]), { name: 'TypeError', message: /missing input 'x'/ });
  await t.rejects(model.execute([new Float32Array(256) as never], [ok]), { name: 'TypeError', message: /DeviceBuffer/ });
  const error = (await model.execute([small], [ok]).catch((e: unknown) => e)) as acl.AclError;
  t.equal(error.code, 145006);
  t.match(error.message, /1024/);
  const closed = dev.alloc(1024);
  closed.close();
  await t.rejects(model.execute([closed], [ok]), { name: 'AclClosedError', resource: 'DeviceBuffer' });
  await t.rejects(model.execute([ok], [ok], { signal: AbortSignal.abort('stop') }), 'stop');
  model.close();
  await t.rejects(model.execute([ok], [ok]), { name: 'AclClosedError', resource: 'Model' });
  t.equal(dev.state, 'ok');
  rt.close();
});
