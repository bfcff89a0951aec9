// Fault injection reaches the binding exactly as a real failure would, and docs/simulator.md's
// table of which public method makes which runtime calls is true: for every row, a fault aimed
// at the documented function makes the method fail with that code, that function as `api`, and
// the runtime's message as `recentMessage`.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { root } from './helpers.js';

const tiny = join(root, 'test', 'fixtures', 'models', 'tiny.onnx');
const CODE = 207000; // not device-fatal: every row starts from a healthy device

interface Ctx {
  rt: acl.Runtime;
  dev: acl.Device;
  s: acl.Stream;
  e: acl.Event;
  buf: acl.DeviceBuffer;
  model: acl.Model;
  session: acl.InferenceSession;
}

// [method, runtime function, the call (after any setup it needs)]
const rows: [string, string, (c: Ctx) => unknown][] = [
  ['rt.device(id) (first use)', 'aclrtSetDevice', (c) => (c.dev.close(), c.rt.device(0))],
  ['rt.device(id) (first use)', 'aclrtGetCurrentContext', (c) => (c.dev.close(), c.rt.device(0))],
  ['device.alloc', 'aclrtMalloc', (c) => c.dev.alloc(16)],
  ['device.allocHost', 'aclrtMallocHost', (c) => c.dev.allocHost(16)],
  ['buffer.write', 'aclrtMemcpy', (c) => c.buf.write(new Uint8Array(4))],
  ['buffer.read', 'aclrtMemcpy', (c) => c.buf.read()],
  ['device.memoryInfo', 'aclrtGetMemInfo', (c) => c.dev.memoryInfo()],
  ['device.createStream', 'aclrtCreateStream', (c) => c.dev.createStream()],
  ['device.createEvent', 'aclrtCreateEvent', (c) => c.dev.createEvent()],
  ['device.createEvent({ timing: false })', 'aclrtCreateEventWithFlag', (c) => c.dev.createEvent({ timing: false })],
  ['stream.copy', 'aclrtMemcpyAsync', (c) => c.s.copy(c.buf, new Uint8Array(16))],
  ['stream.fill', 'aclrtMemsetAsync', (c) => c.s.fill(c.buf, 1)],
  ['stream.record', 'aclrtRecordEvent', (c) => c.s.record(c.e)],
  ['stream.wait', 'aclrtStreamWaitEvent', (c) => c.s.wait(c.e)],
  ['stream.wait({ timeoutMs })', 'aclrtStreamWaitEventWithTimeout', (c) => c.s.wait(c.e, { timeoutMs: 100 })],
  ['stream.hostFunc (first use)', 'aclrtSubscribeReport', (c) => c.s.hostFunc(() => undefined)],
  ['stream.hostFunc', 'aclrtLaunchCallback', (c) => c.s.hostFunc(() => undefined)],
  ['stream.query', 'aclrtStreamQuery', (c) => c.s.query()],
  ['event.query', 'aclrtQueryEventStatus', (c) => c.e.query()],
  ['stream.synchronize', 'aclrtSynchronizeStreamWithTimeout', (c) => c.s.synchronize()],
  ['stream.synchronizeSync', 'aclrtSynchronizeStreamWithTimeout', (c) => c.s.synchronizeSync()],
  ['event.synchronize', 'aclrtSynchronizeEventWithTimeout', (c) => c.e.synchronize()],
  ['device.synchronize', 'aclrtSynchronizeDeviceWithTimeout', (c) => c.dev.synchronize()],
  ['event.elapsedSince', 'aclrtEventElapsedTime', (c) => c.e.elapsedSince(c.e)],
  ['device.reset', 'aclrtResetDeviceForce', (c) => c.dev.reset()],
  ['device.loadModel(path)', 'aclmdlLoadFromFile', (c) => c.dev.loadModel(tiny)],
  ['device.loadModel(bytes)', 'aclmdlLoadFromMem', (c) => c.dev.loadModel(readFileSync(tiny))],
  ['device.loadModelSync', 'aclmdlGetDesc', (c) => c.dev.loadModelSync(tiny)],
  ['model.execute', 'aclmdlExecute', (c) => c.model.execute([c.dev.alloc(1024)], [c.dev.alloc(1024)])],
  ['model.executeSync', 'aclmdlAddDatasetBuffer', (c) => c.model.executeSync([c.dev.alloc(1024)], [c.dev.alloc(1024)])],
  ['stream.execute (model)', 'aclmdlExecuteAsync', (c) => c.s.execute(c.model, [c.dev.alloc(1024)], [c.dev.alloc(1024)])],
  ['session.run', 'aclmdlExecute', (c) => c.session.run({ x: new acl.Tensor('float32', new Float32Array(256), [16, 16]) })],
  ['session.run (first run)', 'aclrtMalloc', (c) => c.session.run({ x: new acl.Tensor('float32', new Float32Array(256), [16, 16]) })],
  ['session.runSync', 'aclrtMemcpy', (c) => c.session.runSync({ x: new acl.Tensor('float32', new Float32Array(256), [16, 16]) })],
];

for (const [method, api, call] of rows) {
  t.test(`${method} → ${api}`, async (t) => {
    const rt = acl.open({ backend: 'sim' });
    const dev = rt.device(0);
    const usesModel = /model|session/.test(method);
    const c: Ctx = {
      rt,
      dev,
      s: dev.createStream(),
      e: dev.createEvent(),
      buf: dev.alloc(16),
      // Only the rows about models pay for loading one.
      model: (usesModel ? await dev.loadModel(tiny) : null) as acl.Model,
      session: (usesModel ? await acl.InferenceSession.create(tiny, { device: dev }) : null) as acl.InferenceSession,
    };
    c.s.record(c.e);
    await c.s.synchronize();
    rt.sim!.injectFault({ api, nth: 1, code: CODE });
    let error: acl.AclError | undefined;
    try {
      await call(c);
    } catch (caught) {
      error = caught as acl.AclError;
    }
    rt.sim!.clearFaults();
    t.type(error, acl.AclError, 'fails with AclError');
    t.equal(error?.code, CODE);
    t.equal(error?.api, api, 'names the runtime function');
    t.match(error?.recentMessage, new RegExp(`^${api}: injected fault ${CODE} \\(ACL_ERROR_RT_FEATURE_NOT_SUPPORT\\)`));
    t.match(error?.message, /injected fault/);
    t.equal(error?.deviceId, 0);
    t.equal(rt.device(0).state, 'ok', 'a non-fatal code leaves the device usable');
    c.session?.close();
    rt.close();
  });
}

t.test('a device-fatal code injected under any method faults the device', async (t) => {
  for (const code of [500000, 507010, 507011, 507014, 507015, 507033, 507053, 507054, 507057, 507899, 507901]) {
    const rt = acl.open({ backend: 'sim' });
    const dev = rt.device(0);
    rt.sim!.injectFault({ api: 'aclrtCreateStream', nth: 1, code });
    t.throws(() => dev.createStream(), { name: 'AclError', code, api: 'aclrtCreateStream' });
    t.equal(dev.state, 'faulted', `${code} faults the device`);
    t.throws(() => dev.alloc(1), { name: 'AclError', code, api: 'device.faulted', message: /device\.reset\(\)/ });
    dev.reset();
    t.equal(dev.state, 'ok');
    t.equal(dev.alloc(4).byteLength, 4);
    rt.close();
  }
  for (const code of [100000, 107000, 107002, 207001, 507046, 507047, 545601, 507012]) {
    const rt = acl.open({ backend: 'sim' });
    const dev = rt.device(0);
    rt.sim!.injectFault({ api: 'aclrtCreateStream', nth: 1, code });
    t.throws(() => dev.createStream(), { name: 'AclError', code });
    t.equal(dev.state, 'ok', `${code} does not fault the device`);
    rt.close();
  }
});

t.test('release calls never throw, but a device-fatal failure of one faults the device', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const buf = dev.alloc(16);
  rt.sim!.injectFault({ api: 'aclrtFree', nth: 1, code: 507899 });
  buf.close();
  t.equal(buf.isClosed, true);
  t.equal(dev.state, 'faulted');
  t.throws(() => dev.createStream(), { code: 507899, api: 'device.faulted', message: /aclrtFree/ });
  dev.reset();
  t.equal(rt.sim!.stats().allocations, 0, 'reset released what the failed free left behind');
  rt.close();
});

t.test('ASCENDCL_SIM_FAULTS and sim.faults count from open()', async (t) => {
  const rt = acl.open({ backend: 'sim', sim: { faults: [{ api: 'aclrtMalloc', nth: 2, code: 207001 }] } });
  const dev = rt.device(0);
  dev.alloc(1);
  t.throws(() => dev.alloc(1), { code: 207001, api: 'aclrtMalloc', recentMessage: /injected fault 207001/ });
  t.equal(dev.alloc(1).byteLength, 1);
  rt.close();
});
