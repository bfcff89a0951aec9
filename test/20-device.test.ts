// Devices: memory accounting, the capacity limit, limits on streams and events, device-wide
// synchronize, faults and reset.
import t from 'tap';
import * as acl from 'ascendcl';
import { gate, MiB } from './helpers.js';

t.test('allocating past capacity throws 207001 from aclrtMalloc', (t) => {
  const rt = acl.open({ backend: 'sim', sim: { devices: 2, memoryBytes: 256 * MiB } });
  t.equal(rt.deviceCount, 2);
  const dev = rt.device(1);
  const big = dev.alloc(200 * MiB);
  const error = t.throws(() => dev.alloc(100 * MiB)) as acl.AclError;
  t.type(error, acl.AclError);
  t.equal(error.code, 207001);
  t.equal(error.codeName, 'ACL_ERROR_RT_MEMORY_ALLOCATION');
  t.equal(error.api, 'aclrtMalloc');
  t.equal(error.deviceId, 1);
  t.equal(dev.state, 'ok');
  big.close();
  t.ok(dev.alloc(100 * MiB), 'memory is back after close');
  t.equal(rt.device(0).memoryInfo().free, 256 * MiB, 'devices have separate memory');
  rt.close();
  t.end();
});

t.test('each allocation consumes align32(n) + 32 bytes of capacity', (t) => {
  const rt = acl.open({ backend: 'sim', sim: { memoryBytes: 64 * MiB } });
  const dev = rt.device(0);
  const cases: [number, number][] = [[1, 64], [32, 64], [33, 96], [100, 160], [4096, 4128]];
  for (const [bytes, consumed] of cases) {
    const before = dev.memoryInfo().free;
    const buf = dev.alloc(bytes);
    t.equal(before - dev.memoryInfo().free, consumed, `${bytes} bytes consume ${consumed}`);
    t.equal(buf.byteLength, bytes);
    buf.close();
    t.equal(dev.memoryInfo().free, before);
  }
  t.equal(rt.stats().deviceBytes, 0);
  rt.close();
  t.end();
});

t.test('stream and event limits', (t) => {
  const rt = acl.open({ backend: 'sim', sim: { maxStreams: 3, maxEvents: 2 } });
  const dev = rt.device(0);
  const streams = [dev.createStream(), dev.createStream(), dev.createStream()];
  t.throws(() => dev.createStream(), { code: 207008 });
  streams[0]!.close();
  t.ok(dev.createStream());
  dev.createEvent();
  dev.createEvent({ timing: false });
  t.throws(() => dev.createEvent(), { code: 207007 });
  t.throws(() => dev.createEvent({ timing: 1 as never }), { name: 'TypeError', message: /timing/ });
  rt.close();
  t.end();
});

t.test('device.synchronize waits for every stream of the device', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const a = dev.createStream();
  const b = dev.createStream();
  const held = gate();
  const order: string[] = [];
  a.hostFunc(() => held.promise.then(() => void order.push('a')));
  b.hostFunc(() => void order.push('b'));
  const done = dev.synchronize().then(() => order.push('device'));
  await b.synchronize();
  t.same(order, ['b']);
  held.open();
  await done;
  t.same(order, ['b', 'a', 'device']);
  await dev.synchronize({ timeoutMs: 1000 });
  t.throws(() => dev.synchronizeSync({ timeoutMs: 0 }), RangeError);
  dev.synchronizeSync();
  rt.close();
});

t.test('device.synchronize times out with 507046 and the device stays usable', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const held = gate();
  s.hostFunc(() => held.promise);
  await t.rejects(dev.synchronize({ timeoutMs: 30 }), { name: 'AclError', code: 507046 });
  t.equal(dev.state, 'ok');
  t.throws(() => dev.synchronizeSync(), { code: 107000, message: /host function/ });
  held.open();
  await dev.synchronize();
  rt.close();
});

t.test('a device-fatal failure faults the device until reset()', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const keep = dev.alloc(16);
  const stream = dev.createStream();
  rt.sim!.injectFault({ api: 'aclrtMemsetAsync', nth: 1, code: 507899 });
  const fatal = t.throws(() => stream.fill(keep, 0)) as acl.AclError;
  t.equal(fatal.code, 507899);
  t.equal(dev.state, 'faulted');
  const refused = t.throws(() => dev.alloc(16)) as acl.AclError;
  t.equal(refused.code, 507899);
  t.equal(refused.api, 'device.faulted');
  t.match(refused.message, /device\.reset\(\)/);
  t.throws(() => stream.fill(keep, 0), { name: 'AclError', api: 'device.faulted' });
  await t.rejects(stream.synchronize(), { name: 'AclError', api: 'device.faulted' });
  dev.reset();
  t.equal(dev.state, 'ok');
  t.equal(keep.isClosed, true, 'reset closed the device children');
  t.equal(stream.isClosed, true);
  const fresh = dev.alloc(16);
  const s2 = dev.createStream();
  s2.fill(fresh, 5);
  await s2.synchronize();
  t.equal(fresh.read()[0], 5);
  t.equal(rt.stats().deviceBuffers, 1);
  rt.close();
});

t.test('a non-fatal failure never faults the device', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  rt.sim!.injectFault({ api: 'aclrtCreateEvent', nth: 1, code: 107000 });
  t.throws(() => dev.createEvent(), { code: 107000 });
  t.equal(dev.state, 'ok');
  rt.close();
  t.end();
});

t.test('device.close() closes its children; runtime.device() opens it again', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const buf = dev.alloc(16);
  dev.close();
  dev.close();
  t.equal(dev.state, 'closed');
  t.equal(buf.isClosed, true);
  t.throws(() => dev.memoryInfo(), { name: 'AclClosedError', resource: 'Device' });
  const again = rt.device(0);
  t.not(again, dev);
  t.equal(again.memoryInfo().free, again.memoryInfo().total);
  rt.close();
  t.end();
});

t.test('alloc arguments are validated before any native call', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  t.throws(() => dev.alloc(0), { name: 'RangeError', message: 'expected a positive integer for bytes but received 0' });
  t.throws(() => dev.alloc(1.5), RangeError);
  t.throws(() => dev.alloc(2 ** 60), RangeError);
  t.throws(() => dev.alloc('1' as never), { name: 'TypeError', message: /bytes/ });
  t.throws(() => dev.allocHost(-4), RangeError);
  t.equal(rt.sim!.stats().allocations, 0);
  rt.close();
  t.end();
});
