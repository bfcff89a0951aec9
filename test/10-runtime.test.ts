// The Runtime: what it reports, one Device per id, process-wide sharing, stats, simulator
// controls and closing.
import t from 'tap';
import * as acl from 'ascendcl';
import { MiB } from './helpers.js';

t.test('open() reports the simulated devices, SoC, versions and run mode', (t) => {
  const rt = acl.open({ backend: 'sim', sim: { devices: 2, memoryBytes: 256 * MiB, socName: 'Ascend310P3' } });
  t.equal(rt.deviceCount, 2);
  t.equal(rt.socName, 'Ascend310P3');
  t.same(rt.version, { major: 1, minor: 17, patch: 0 });
  t.type(rt.cannVersion, 'string');
  t.equal(rt.runMode, 'host');
  t.equal(rt.timeoutMs, 60000);
  t.equal(rt.device(1).memoryInfo().total, 256 * MiB);
  rt.close();
  t.end();
});

t.test('device(id): one object per id, RangeError outside [0, deviceCount)', (t) => {
  const rt = acl.open({ backend: 'sim', sim: { devices: 2 } });
  t.equal(rt.device(0), rt.device(0));
  t.not(rt.device(0), rt.device(1));
  t.throws(() => rt.device(2), { name: 'RangeError', message: /expected an integer from 0 to 1 for id but received 2/ });
  t.throws(() => rt.device(-1), RangeError);
  t.throws(() => rt.device(0.5), RangeError);
  t.throws(() => rt.device('0' as unknown as number), { name: 'TypeError', message: /for id but received "0"/ });
  rt.close();
  t.end();
});

t.test('a second open() shares AscendCL; different settings throw 100002', (t) => {
  const a = acl.open({ backend: 'sim', sim: { devices: 2, memoryBytes: 64 * MiB } });
  const b = acl.open({ backend: 'sim', sim: { devices: 2 } });
  t.equal(b.deviceCount, 2);
  const buf = b.device(0).alloc(1024);
  t.equal(a.device(0).memoryInfo().free, 64 * MiB - 1056, 'both runtimes see the same device');
  const conflict = t.throws(() => acl.open({ backend: 'sim', sim: { memoryBytes: 32 * MiB } })) as acl.AclError;
  t.equal(conflict.code, 100002);
  t.equal(conflict.codeName, 'ACL_ERROR_REPEAT_INITIALIZE');
  t.match(conflict.message, /memoryBytes/);
  const backendConflict = t.throws(() => acl.open({ backend: 'npu' })) as acl.AclError;
  t.equal(backendConflict.code, 100002);
  buf.close();
  a.close();
  t.equal(b.device(0).alloc(16).byteLength, 16, 'the other runtime still works after one closes');
  b.close();
  // All closed: new settings are fine now.
  const c = acl.open({ backend: 'sim', sim: { memoryBytes: 32 * MiB } });
  t.equal(c.device(0).memoryInfo().total, 32 * MiB);
  c.close();
  t.end();
});

t.test('stats() counts live objects until they are released', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const zero = rt.stats();
  t.same(zero, {
    deviceBuffers: 0, hostBuffers: 0, streams: 0, events: 0, models: 0, sessions: 0,
    deviceBytes: 0, hostBytes: 0, pendingOps: 0, poolBytes: 0,
  });
  const b = dev.alloc(100);
  const h = dev.allocHost(200);
  const s = dev.createStream();
  const e = dev.createEvent();
  s.copy(b, h, 100);
  let stats = rt.stats();
  t.equal(stats.deviceBuffers, 1);
  t.equal(stats.deviceBytes, 100);
  t.equal(stats.hostBuffers, 1);
  t.equal(stats.hostBytes, 200);
  t.equal(stats.streams, 1);
  t.equal(stats.events, 1);
  t.equal(stats.pendingOps, 1, 'the copy has not been seen complete');
  await s.synchronize();
  t.equal(rt.stats().pendingOps, 0);
  b.close(); h.close(); s.close(); e.close();
  stats = rt.stats();
  t.same(stats, zero);
  const sim = rt.sim!.stats();
  t.equal(sim.allocations, 0);
  t.equal(sim.hostAllocations, 0);
  t.equal(sim.streams, 0);
  t.equal(sim.events, 0);
  rt.close();
});

t.test('sim controls: injected faults, leak report, native stats', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  rt.sim!.injectFault({ api: 'aclrtMalloc', nth: 2, code: 207001 });
  const first = dev.alloc(16);
  const error = t.throws(() => dev.alloc(16)) as acl.AclError;
  t.equal(error.code, 207001);
  t.equal(error.api, 'aclrtMalloc');
  t.match(error.recentMessage ?? '', /injected fault/);
  t.equal(dev.state, 'ok', 'a resource error does not fault the device');
  const third = dev.alloc(16);
  rt.sim!.injectFault({ api: 'aclrtMalloc', nth: '*', code: 207001 });
  t.throws(() => dev.alloc(16), { code: 207001 });
  t.throws(() => dev.alloc(16), { code: 207001 });
  rt.sim!.clearFaults();
  const fourth = dev.alloc(16);
  t.match(rt.sim!.leakReport(), /allocation/i);
  t.equal(rt.sim!.stats().allocations, 3);
  first.close(); third.close(); fourth.close();
  t.throws(() => rt.sim!.injectFault({ api: '', nth: 1, code: 1 }), RangeError);
  t.throws(() => rt.sim!.injectFault({ api: 'aclrtMalloc', nth: 0, code: 1 }), RangeError);
  rt.close();
  t.end();
});

t.test('faults from open() and from ASCENDCL_SIM_FAULTS', (t) => {
  const rt = acl.open({ backend: 'sim', sim: { faults: [{ api: 'aclrtCreateStream', nth: 1, code: 207008 }] } });
  t.throws(() => rt.device(0).createStream(), { code: 207008, codeName: 'ACL_ERROR_RT_NO_STREAM_RESOURCE' });
  t.ok(rt.device(0).createStream());
  rt.close();
  t.end();
});

t.test('close() closes every child, is idempotent, and use after close throws AclClosedError', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const buf = dev.alloc(64);
  const host = dev.allocHost(64);
  const stream = dev.createStream();
  const event = dev.createEvent();
  const bytes = host.bytes;
  rt.close();
  rt.close();
  t.equal(rt.isClosed, true);
  for (const resource of [dev, buf, host, stream, event]) t.equal(resource.isClosed, true);
  t.equal(dev.state, 'closed');
  t.equal(bytes.byteLength, 0, 'host memory views are detached, not dangling');
  t.throws(() => rt.device(0), { name: 'AclClosedError', resource: 'Runtime' });
  t.throws(() => dev.alloc(1), { name: 'AclClosedError', resource: 'Device' });
  t.throws(() => buf.read(), { name: 'AclClosedError', resource: 'DeviceBuffer' });
  t.throws(() => stream.fill(buf, 0), acl.AclClosedError);
  t.throws(() => event.query(), { name: 'AclClosedError', resource: 'Event' });
  await t.rejects(stream.synchronize(), { name: 'AclClosedError', resource: 'Stream' });
  await t.rejects(dev.synchronize(), acl.AclClosedError);
  t.same(rt.stats().deviceBuffers, 0);
});

t.test('Symbol.dispose closes resources at the end of a scope', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  let buf: acl.DeviceBuffer;
  {
    using scoped = dev.alloc(8);
    buf = scoped;
    t.equal(buf.isClosed, false);
  }
  t.equal(buf.isClosed, true);
  rt[Symbol.dispose]();
  t.equal(rt.isClosed, true);
  t.end();
});

t.test('open() validates its options', (t) => {
  t.throws(() => acl.open('sim' as never), { name: 'TypeError', message: /expected an object for options but received "sim"/ });
  t.throws(() => acl.open({ backend: 'gpu' as never }), { name: 'RangeError', message: /for backend but received "gpu"/ });
  t.throws(() => acl.open({ timeoutMs: 0 }), { name: 'RangeError', message: /positive integer or -1 for timeoutMs but received 0/ });
  t.throws(() => acl.open({ sim: { devices: 0 } }), { name: 'RangeError', message: /sim\.devices/ });
  t.throws(() => acl.open({ sim: { memoryBytes: -1 } }), { name: 'RangeError', message: /sim\.memoryBytes/ });
  t.throws(() => acl.open({ sim: { strict: 'yes' as never } }), { name: 'TypeError', message: /sim\.strict/ });
  t.throws(() => acl.open({ sim: { faults: [{ api: 'aclrtMalloc', nth: 'x' as never, code: 1 }] } }), TypeError);
  t.throws(() => acl.open({ libraryPath: '' }), { name: 'RangeError', message: /libraryPath/ });
  const rt = acl.open({ backend: 'sim', timeoutMs: -1 });
  t.equal(rt.timeoutMs, -1);
  rt.close();
  t.end();
});

t.test('settings never leak from one open/close cycle into the next; env applies where an option is absent', (t) => {
  const a = acl.open({ backend: 'sim', sim: { devices: 3, socName: 'Ascend310P3', strict: false } });
  t.equal(a.deviceCount, 3);
  a.close();
  const b = acl.open({ backend: 'sim' });
  t.equal(b.deviceCount, 1, 'back to the default');
  t.equal(b.socName, 'Ascend910B4');
  b.close();
  process.env.ASCENDCL_SIM_DEVICES = '5';
  process.env.ASCENDCL_SIM_MEMORY = '3 MiB';
  try {
    const c = acl.open({ backend: 'sim' });
    t.equal(c.deviceCount, 5, 'ASCENDCL_SIM_DEVICES');
    t.equal(c.device(4).memoryInfo().total, 3 * MiB, 'ASCENDCL_SIM_MEMORY with a unit');
    c.close();
    const d = acl.open({ backend: 'sim', sim: { devices: 2 } });
    t.equal(d.deviceCount, 2, 'the option wins over the environment');
    d.close();
    process.env.ASCENDCL_SIM_DEVICES = 'many';
    const bad = t.throws(() => acl.open({ backend: 'sim' })) as acl.AclError;
    t.equal(bad.code, 100000);
    t.match(bad.message, /ASCENDCL_SIM_DEVICES/);
  } finally {
    delete process.env.ASCENDCL_SIM_DEVICES;
    delete process.env.ASCENDCL_SIM_MEMORY;
  }
  const e = acl.open({ backend: 'sim' });
  t.equal(e.deviceCount, 1);
  e.close();
  t.end();
});
