// Streams: every copy direction, fills, ordering across streams with events, host functions,
// synchronize with timeouts and AbortSignal, and closing with work queued.
import t from 'tap';
import * as acl from 'ascendcl';
import { gate, pattern } from './helpers.js';

t.test('copies in every direction, from and to plain typed arrays too', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const a = dev.alloc(256);
  const b = dev.alloc(256);
  const host = dev.allocHost(256);
  const plain = new Uint8Array(256);
  s.copy(a, pattern(256, 1)); // plain host → device
  s.copy(b, a); // device → device
  s.copy(host, b); // device → pinned host
  s.copy(plain, b); // device → plain host
  s.copy(a.view(100), host.view(0, 10)); // pinned host → device view
  await s.synchronize();
  t.same(host.bytes, pattern(256, 1));
  t.same(plain, pattern(256, 1));
  t.same(a.read(new Uint8Array(10), 100), pattern(256, 1).subarray(0, 10));
  const h2h = t.throws(() => s.copy(plain, host)) as acl.AclError;
  t.equal(h2h.code, 207000, 'host-to-host async copies are not supported');
  t.equal(h2h.api, 'aclrtMemcpyAsync');
  rt.close();
});

t.test('copy and fill arguments', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const small = dev.alloc(8);
  const big = dev.alloc(16);
  t.throws(() => s.copy(small, big), { name: 'RangeError', message: /at most 8 \(the byte length of dst\) for bytes but received 16/ });
  t.throws(() => s.copy(big, small, 9), { name: 'RangeError', message: /byte length of src/ });
  t.throws(() => s.copy(big, small, 0), { name: 'RangeError', message: 'expected a positive integer for bytes but received 0' });
  t.throws(() => s.copy({} as never, small), { name: 'TypeError', message: /for dst but received an instance of Object/ });
  t.throws(() => s.copy(big, null as never), { name: 'TypeError', message: /for src but received null/ });
  t.throws(() => s.fill(big, 256), { name: 'RangeError', message: /from 0 to 255 for byte but received 256/ });
  t.throws(() => s.fill(new Uint8Array(4) as never, 0), { name: 'TypeError', message: /DeviceBuffer or HostBuffer for dst/ });
  t.throws(() => s.record({} as never), { name: 'TypeError', message: /an Event for event/ });
  t.throws(() => s.hostFunc('f' as never), { name: 'TypeError', message: /a function for fn/ });
  const closed = dev.alloc(8);
  closed.close();
  t.throws(() => s.copy(big, closed, 8), { name: 'AclClosedError', resource: 'DeviceBuffer' });
  rt.close();
  t.end();
});

t.test('copies between devices are refused with 207000', (t) => {
  const rt = acl.open({ backend: 'sim', sim: { devices: 2 } });
  const s = rt.device(0).createStream();
  const remote = rt.device(1).alloc(8);
  const local = rt.device(0).alloc(8);
  t.throws(() => s.copy(local, remote), { code: 207000, message: /between devices/ });
  const e1 = rt.device(1).createEvent();
  t.throws(() => s.record(e1), { code: 107003 });
  rt.close();
  t.end();
});

t.test('fill sets bytes, on device and pinned memory', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const buf = dev.alloc(100);
  const host = dev.allocHost(100);
  s.fill(buf, 0);
  s.fill(buf.view(10, 5), 0xab);
  s.fill(host, 7, 50);
  await s.synchronize();
  const bytes = buf.read();
  t.equal(bytes[9], 0);
  t.equal(bytes[10], 0xab);
  t.equal(bytes[14], 0xab);
  t.equal(bytes[15], 0);
  t.equal(host.bytes[49], 7);
  rt.close();
});

t.test('each stream runs in order; events order two streams', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const producer = dev.createStream();
  const consumer = dev.createStream();
  const buf = dev.alloc(4);
  const out = dev.allocHost(4);
  const ready = dev.createEvent();
  const held = gate();
  producer.hostFunc(() => held.promise);
  producer.fill(buf, 1);
  producer.fill(buf, 2);
  producer.record(ready);
  consumer.wait(ready);
  consumer.copy(out, buf);
  t.equal(consumer.query(), false, 'the consumer waits for the producer');
  t.equal(ready.query(), false);
  held.open();
  await consumer.synchronize();
  t.equal(out.bytes[0], 2, 'the consumer saw the producer finished');
  t.equal(ready.query(), true);
  t.equal(producer.query(), true);
  rt.close();
});

t.test('two streams run concurrently', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const a = dev.createStream();
  const b = dev.createStream();
  const held = gate();
  const buf = dev.alloc(16);
  a.hostFunc(() => held.promise); // a is busy until we open the gate
  b.fill(buf, 9);
  await b.synchronize({ timeoutMs: 5000 }); // completes while a is still busy
  t.equal(a.query(), false);
  t.equal(buf.read()[0], 9);
  held.open();
  await a.synchronize();
  rt.close();
});

t.test('host functions run in stream order, may be async, and report errors at synchronize', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const buf = dev.alloc(1);
  const seen: number[] = [];
  s.fill(buf, 1);
  s.hostFunc(() => void seen.push(buf.read()[0]!));
  s.hostFunc(async () => {
    await new Promise((resolve) => setImmediate(resolve));
    seen.push(2);
  });
  s.fill(buf, 3);
  s.hostFunc(() => void seen.push(buf.read()[0]!));
  await s.synchronize();
  t.same(seen, [1, 2, 3], 'in order, each waited for');

  const boom = new Error('boom');
  s.hostFunc(() => {
    throw boom;
  });
  s.fill(buf, 4);
  await t.rejects(s.synchronize(), boom, 'the next synchronize rejects with the thrown error');
  t.equal(buf.read()[0], 4, 'the stream went on');
  await s.synchronize();

  s.hostFunc(() => Promise.reject(new RangeError('async boom')));
  t.throws(() => s.synchronizeSync(), { code: 107000, message: /host function/ }, 'no deadlock');
  await t.rejects(s.synchronize(), { name: 'RangeError', message: 'async boom' });
  t.equal(rt.stats().pendingOps, 0);
  rt.close();
});

t.test('synchronize: timeouts end the wait and leave the stream usable', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const blocker = dev.createStream();
  const waiter = dev.createStream();
  const done = dev.createEvent();
  const held = gate();
  blocker.hostFunc(() => held.promise);
  blocker.record(done);
  waiter.wait(done); // waiter has no host function, so its blocking twin may wait
  const started = Date.now();
  const error = (await waiter.synchronize({ timeoutMs: 50 }).catch((e: unknown) => e)) as acl.AclError;
  t.type(error, acl.AclError);
  t.equal(error.code, 507046);
  t.equal(error.codeName, 'ACL_ERROR_RT_STREAM_SYNC_TIMEOUT');
  t.ok(Date.now() - started >= 45, 'waited about the timeout');
  t.match(error.stack ?? '', /40-stream\.test/, 'the error carries the stack of the call that started the wait');
  t.throws(() => waiter.synchronizeSync({ timeoutMs: 30 }), { code: 507046 });
  t.throws(() => done.synchronizeSync({ timeoutMs: 30 }), { code: 107000, message: /host function/ });
  held.open();
  await waiter.synchronize();
  waiter.synchronizeSync({ timeoutMs: 1000 });
  t.equal(waiter.query(), true);
  await t.rejects(waiter.synchronize({ timeoutMs: 0 }), { name: 'RangeError', message: /timeoutMs but received 0/ });
  await t.rejects(waiter.synchronize({ timeoutMs: 1.5 }), RangeError);
  await t.rejects(waiter.synchronize({ signal: 'x' as never }), { name: 'TypeError', message: /AbortSignal/ });
  await t.rejects(waiter.synchronize(5 as never), TypeError);
  rt.close();
});

t.test('synchronize: an AbortSignal rejects with its reason and the stream stays usable', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const held = gate();
  s.hostFunc(() => held.promise);
  const controller = new AbortController();
  const waiting = s.synchronize({ signal: controller.signal });
  controller.abort(new Error('stop waiting'));
  await t.rejects(waiting, { message: 'stop waiting' });
  await t.rejects(s.synchronize({ signal: AbortSignal.abort('already') }), 'already');
  t.throws(() => s.synchronizeSync({ signal: AbortSignal.abort('sync') }), 'sync');
  held.open();
  await s.synchronize({ signal: new AbortController().signal });
  rt.close();
});

t.test('a device-side wait with timeoutMs gives up and reports 507047 at synchronize', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const blocker = dev.createStream();
  const waiter = dev.createStream();
  const e = dev.createEvent();
  const held = gate();
  blocker.hostFunc(() => held.promise);
  blocker.record(e);
  waiter.wait(e, { timeoutMs: 20 });
  const buf = dev.alloc(1);
  waiter.fill(buf, 8);
  await t.rejects(waiter.synchronize(), { code: 507047 });
  t.equal(buf.read()[0], 8, 'the stream went on after the wait gave up');
  held.open();
  await blocker.synchronize();
  t.throws(() => waiter.wait(e, { timeoutMs: 0 }), RangeError);
  rt.close();
});

t.test('close() with work queued never blocks; the stream is released when its work is done', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const other = dev.createStream();
  const e = dev.createEvent();
  const held = gate();
  other.hostFunc(() => held.promise);
  other.record(e);
  s.wait(e);
  const buf = dev.alloc(8);
  s.fill(buf, 6);
  s.close();
  t.equal(s.isClosed, true);
  t.throws(() => s.fill(buf, 1), { name: 'AclClosedError', resource: 'Stream' });
  t.equal(rt.stats().streams, 2, 'still counted until its work is done');
  buf.close(); // the queued fill still holds the memory
  t.equal(rt.stats().deviceBuffers, 1);
  held.open();
  await other.synchronize();
  await dev.synchronize();
  // The deferred release settles on the JS thread once the device thread (niced, so slow to get a
  // core on a loaded machine) has posted it: poll turn by turn, for at most 10 s.
  const deadline = performance.now() + 10_000;
  while (rt.stats().streams !== 1 && performance.now() < deadline) await new Promise((r) => setImmediate(r));
  t.equal(rt.stats().streams, 1);
  t.equal(rt.stats().deviceBuffers, 0);
  t.equal(rt.sim!.stats().streams, 1);
  rt.close();
});

t.test('pending host functions are dropped when the stream closes', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const held = gate();
  let ran = 0;
  s.hostFunc(() => held.promise);
  s.hostFunc(() => void ran++);
  s.close();
  held.open();
  await dev.synchronize();
  t.equal(ran, 0);
  rt.close();
});
