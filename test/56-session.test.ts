// InferenceSession: typed arrays in, typed arrays out, checked against onnxruntime-node on
// every fixture model, plus the validation, location and lifetime rules of api.md.
import t from 'tap';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { root } from './helpers.js';
import { aclFeeds, compare, type Feeds, randomFloats, reference } from './reference.js';

const models = join(root, 'test', 'fixtures', 'models');
const path = (name: string) => join(models, `${name}.onnx`);

const cases: { model: string; feeds: Feeds; options?: acl.ModelOptions }[] = [
  { model: 'tiny', feeds: { x: { type: 'float32', data: randomFloats(256, 3), dims: [16, 16] } } },
  { model: 'cnn', feeds: { x: { type: 'float32', data: randomFloats(2 * 3 * 16 * 16, 4), dims: [2, 3, 16, 16] } } },
  { model: 'gelu_layernorm', feeds: { x: { type: 'float32', data: randomFloats(3 * 32, 5), dims: [3, 32] } } },
  { model: 'attention', feeds: { tokens: { type: 'int64', data: BigInt64Array.from([5n, 17n, 99n, 0n, 42n, 7n]), dims: [1, 6] } } },
  { model: 'float16_io', feeds: { x: { type: 'float16', data: acl.float16.fromFloat32(randomFloats(16, 6)), dims: [2, 8] } } },
  { model: 'detection', feeds: { x: { type: 'float32', data: randomFloats(4 * 64, 8), dims: [1, 4, 8, 8] } } },
];

for (const { model, feeds } of cases) {
  t.test(`${model}: run and runSync match onnxruntime`, async (t) => {
    const rt = acl.open({ backend: 'sim' });
    const session = await acl.InferenceSession.create(path(model), { device: rt.device(0) });
    const theirs = await reference(path(model), feeds);
    const ours = await session.run(aclFeeds(feeds));
    const sync = session.runSync(aclFeeds(feeds));
    for (const name of session.outputNames) {
      const expected = theirs[name]!;
      for (const [how, result] of [['run', ours], ['runSync', sync]] as const) {
        const tensor = result[name]!;
        t.same(tensor.dims, expected.dims, `${how} ${name} dims`);
        t.equal(tensor.location, 'cpu');
        const { worst, index } = compare(tensor.type, tensor.data, expected.data);
        t.equal(worst, 0, `${how} ${name} within tolerance (worst at ${index})`);
      }
    }
    await session.release();
    rt.close();
  });
}

t.test('metadata, and a session on a private runtime', async (t) => {
  const session = await acl.InferenceSession.create(path('cnn'), { device: 0, backend: 'sim' });
  t.same(session.inputNames, ['x']);
  t.same(session.outputNames, ['prob']);
  t.same(session.inputMetadata[0]!.dims, [-1, 3, 16, 16]);
  t.equal(session.outputMetadata[0]!.dataType, 'float32');
  await session.release();
  t.equal(session.isClosed, true);
  await t.rejects(session.run({}), { name: 'AclClosedError', resource: 'InferenceSession' });
});

t.test('feeds are validated with errors that name what was expected', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const session = await acl.InferenceSession.create(path('tiny'), { device: rt.device(0) });
  const good = new acl.Tensor('float32', new Float32Array(256), [16, 16]);
  await t.rejects(session.run({}), { name: 'TypeError', message: /missing feed 'x'.*inputs are x/ });
  await t.rejects(session.run({ x: good, extra: good }), { name: 'TypeError', message: /unknown feed 'extra'/ });
  await t.rejects(session.run({ x: new Float32Array(256) as never }), { name: 'TypeError', message: /a Tensor for feeds\.x/ });
  await t.rejects(session.run({ x: new acl.Tensor('int32', new Int32Array(256), [16, 16]) }), {
    name: 'TypeError',
    message: /expected a float32 tensor for input 'x' but received int32/,
  });
  await t.rejects(session.run({ x: new acl.Tensor('float32', new Float32Array(128), [8, 16]) }), {
    name: 'RangeError',
    message: /expected dims \[16, 16\] for input 'x' but received \[8, 16\]/,
  });
  await t.rejects(session.run({ x: good }, { fetches: ['nope'] }), { name: 'TypeError', message: /unknown fetch "nope"/ });
  await t.rejects(session.run({ x: good }, { outputLocation: 'gpu' as never }), RangeError);
  t.throws(() => session.runSync({ x: good, y: good }), TypeError);
  const gears = await acl.InferenceSession.create(path('gelu_layernorm'), { device: rt.device(0), dynamicBatch: [1, 2, 4] });
  await t.rejects(gears.run({ x: new acl.Tensor('float32', new Float32Array(3 * 32), [3, 32]) }), {
    name: 'RangeError',
    message: /gears \[1, 2, 4\]/,
  });
  rt.close();
});

t.test('dynamic-batch sessions pick the gear from the feeds', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const session = await acl.InferenceSession.create(path('gelu_layernorm'), { device: rt.device(0), dynamicBatch: [1, 2, 4, 8] });
  for (const batch of [1, 2, 4, 8]) {
    const feeds: Feeds = { x: { type: 'float32', data: randomFloats(batch * 32, 10 + batch), dims: [batch, 32] } };
    const [ours, theirs] = await Promise.all([session.run(aclFeeds(feeds)), reference(path('gelu_layernorm'), feeds)]);
    t.same(ours.y!.dims, [batch, 8]);
    t.equal(compare('float32', ours.y!.data, theirs.y!.data).worst, 0, `batch ${batch}`);
  }
  rt.close();
});

t.test('symbolic dims run at any size (dynamic shapes)', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const session = await acl.InferenceSession.create(path('attention'), { device: rt.device(0) });
  t.same(session.inputMetadata[0]!.dims, [1, -1]);
  for (const length of [1, 3, 9]) {
    const tokens = BigInt64Array.from({ length }, (_, i) => BigInt((i * 37) % 100));
    const feeds: Feeds = { tokens: { type: 'int64', data: tokens, dims: [1, length] } };
    const [ours, theirs] = await Promise.all([session.run(aclFeeds(feeds)), reference(path('attention'), feeds)]);
    t.equal(compare('float32', ours.pooled!.data, theirs.pooled!.data).worst, 0, `length ${length}`);
  }
  rt.close();
});

t.test('float32 feeds convert for float16 inputs; float16 outputs come back as float16 bits', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const session = await acl.InferenceSession.create(path('tiny'), {
    device: rt.device(0),
    inputTypes: { x: 'float16' },
    outputTypes: { y: 'float16' },
  });
  const x = randomFloats(256, 12);
  const ours = await session.run({ x: new acl.Tensor(x, [16, 16]) });
  t.equal(ours.y!.type, 'float16');
  t.type(ours.y!.data, Uint16Array);
  const rounded = acl.float16.toFloat32(acl.float16.fromFloat32(x));
  const theirs = await reference(path('tiny'), { x: { type: 'float32', data: rounded, dims: [16, 16] } });
  const ref16 = acl.float16.fromFloat32(theirs.y!.data as Float32Array);
  t.equal(compare('float16', ours.y!.data, ref16).worst, 0);
  rt.close();
});

t.test("outputLocation 'device' keeps outputs on the device; device tensors chain as feeds", async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const first = await acl.InferenceSession.create(path('tiny'), { device: dev });
  const second = await acl.InferenceSession.create(path('tiny'), { device: dev });
  const x = new acl.Tensor(randomFloats(256, 13), [16, 16]);
  const mid = await first.run({ x }, { outputLocation: 'device' });
  const y = mid.y!;
  t.equal(y.location, 'device');
  t.throws(() => y.data, { name: 'TypeError', message: /getData/ });
  const chained = await second.run({ x: y });
  const direct = await second.run({ x: new acl.Tensor(await y.getData() as Float32Array, [16, 16]) });
  t.same(chained.y!.data, direct.y!.data, 'a device tensor feeds the next model without a host round trip');
  const before = rt.stats().deviceBuffers;
  y.dispose();
  t.equal(rt.stats().deviceBuffers, before - 1, 'dispose frees the device memory');
  await t.rejects(y.getData(), { name: 'AclClosedError' });
  const only = await first.run({ x }, { fetches: [] });
  t.same(Object.keys(only), []);
  rt.close();
});

t.test('concurrent runs on one session are safe', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const session = await acl.InferenceSession.create(path('cnn'), { device: rt.device(0) });
  const inputs = Array.from({ length: 8 }, (_, i) => randomFloats(3 * 16 * 16, 100 + i));
  const results = await Promise.all(inputs.map((data) => session.run({ x: new acl.Tensor(data, [1, 3, 16, 16]) })));
  const expected = await Promise.all(inputs.map((data) => reference(path('cnn'), { x: { type: 'float32', data, dims: [1, 3, 16, 16] } })));
  results.forEach((result, i) => t.equal(compare('float32', result.prob!.data, expected[i]!.prob!.data).worst, 0, `run ${i}`));
  t.equal(rt.stats().sessions, 1);
  await session[Symbol.asyncDispose]();
  t.equal(rt.stats().sessions, 0);
  t.equal(rt.stats().models, 0);
  rt.close();
});
