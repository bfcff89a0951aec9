// Waits that end: every wait honours timeoutMs (default from open()) and an AbortSignal, and
// leaves its resource usable; ASCENDCL_LAUNCH_BLOCKING=1 makes the failing call the one that
// throws. Work is held on a gate, never by sleeping.
import t from 'tap';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { gate, root } from './helpers.js';

const tiny = join(root, 'test', 'fixtures', 'models', 'tiny.onnx');

t.test("the default timeout comes from open(), and every wait honours it", async (t) => {
  const rt = acl.open({ backend: 'sim', timeoutMs: 25 });
  const dev = rt.device(0);
  const s = dev.createStream();
  const e = dev.createEvent();
  const model = await dev.loadModel(tiny);
  const session = await acl.InferenceSession.create(tiny, { device: dev });
  const x = dev.alloc(1024);
  const y = dev.alloc(1024);
  const held = gate();
  s.hostFunc(() => held.promise);
  s.record(e);
  s.execute(model, [x], [y]);
  const waits: [string, () => Promise<unknown>, number][] = [
    ['stream.synchronize', () => s.synchronize(), 507046],
    ['event.synchronize', () => e.synchronize(), 507047],
    ['device.synchronize', () => dev.synchronize(), 507046],
    ['model.execute', () => model.execute([x], [dev.alloc(1024)]), 545601],
  ];
  for (const [name, wait, code] of waits) {
    const started = Date.now();
    await t.rejects(wait(), { name: 'AclError', code }, `${name} times out with ${code}`);
    t.ok(Date.now() - started < 5000, `${name} ended promptly`);
  }
  t.throws(() => s.synchronizeSync({ timeoutMs: 10 }), { code: 107000 }, 'no deadlock on a host function');
  held.open();
  await s.synchronize({ timeoutMs: 5000 });
  await e.synchronize({ timeoutMs: 5000 });
  await model.execute([x], [y], { timeoutMs: 5000 });
  const out = await session.run({ x: new acl.Tensor('float32', new Float32Array(256), [16, 16]) }, { timeoutMs: 5000 });
  t.same(out.y!.dims, [16, 16], 'everything is usable after its timeout');
  session.close();
  rt.close();
});

t.test('every wait ends on an AbortSignal with its reason', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const e = dev.createEvent();
  const model = await dev.loadModel(tiny);
  const session = await acl.InferenceSession.create(tiny, { device: dev });
  const x = dev.alloc(1024);
  const y = dev.alloc(1024);
  const held = gate();
  s.hostFunc(() => held.promise);
  s.record(e);
  s.execute(model, [x], [y]);
  const feeds = { x: new acl.Tensor('float32', new Float32Array(256), [16, 16]) };
  const waits: [string, (signal: AbortSignal) => Promise<unknown>][] = [
    ['stream.synchronize', (signal) => s.synchronize({ signal })],
    ['event.synchronize', (signal) => e.synchronize({ signal })],
    ['device.synchronize', (signal) => dev.synchronize({ signal })],
    ['model.execute', (signal) => model.execute([x], [dev.alloc(1024)], { signal })],
    ['session.run', (signal) => session.run(feeds, { signal })],
  ];
  for (const [name, wait] of waits) {
    const controller = new AbortController();
    const pending = wait(controller.signal);
    const reason = new Error(`stop ${name}`);
    controller.abort(reason);
    await t.rejects(pending, reason, `${name} rejects with the reason`);
  }
  held.open();
  await dev.synchronize();
  await session.run(feeds);
  session.close();
  rt.close();
});

t.test('ASCENDCL_LAUNCH_BLOCKING=1: the failing call throws, host functions run inline', async (t) => {
  process.env.ASCENDCL_LAUNCH_BLOCKING = '1';
  const rt = acl.open({ backend: 'sim' });
  delete process.env.ASCENDCL_LAUNCH_BLOCKING;
  t.equal(rt.launchBlocking, true);
  const dev = rt.device(0);
  const s = dev.createStream();
  const buf = dev.alloc(8);
  s.fill(buf, 4);
  t.equal(s.query(), true, 'the fill has run when fill() returns');
  t.equal(rt.stats().pendingOps, 0);
  const order: string[] = [];
  s.hostFunc(() => void order.push('inline'));
  order.push('after');
  t.same(order, ['inline', 'after'], 'the host function ran inside hostFunc()');
  t.throws(
    () =>
      s.hostFunc(() => {
        throw new TypeError('thrown by the host function');
      }),
    { name: 'TypeError', message: /thrown by the host function/ },
    'its error comes out of hostFunc()',
  );
  // An asynchronous failure (a stream wait that times out) comes out of the call that enqueued it.
  const other = dev.createStream();
  const e = dev.createEvent();
  const held = gate();
  other.hostFunc(() => held.promise); // a Promise: queued, the stream waits for it
  other.record(e);
  t.throws(() => s.wait(e, { timeoutMs: 20 }), { name: 'AclError', code: 507047 }, 'wait() itself throws');
  held.open();
  await other.synchronize();
  s.fill(buf, 6);
  t.equal(buf.read()[0], 6);
  rt.close();
});
