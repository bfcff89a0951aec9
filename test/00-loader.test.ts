// Choosing and loading the backend: the simulator, the 'npu' path (exercised with the simulator
// library standing in for libascendcl.so), CANN's stub library, and a runtime without an
// optional function.
import t from 'tap';
import * as acl from 'ascendcl';
import { partialLibrary, simLibrary, stubLibrary } from './helpers.js';

t.test('backend sim opens the simulator beside the addon', (t) => {
  const rt = acl.open({ backend: 'sim' });
  t.equal(rt.backend, 'sim');
  t.match(rt.libraryPath, /libascendcl_sim\.so$/);
  t.match(rt.reason, /backend 'sim'/);
  t.ok(rt.sim, 'sim controls exist');
  rt.close();
  t.end();
});

t.test("backend 'npu' without CANN throws AclLoadError listing every place tried", (t) => {
  const error = t.throws(() => acl.open({ backend: 'npu' })) as acl.AclLoadError;
  t.type(error, acl.AclLoadError);
  t.match(error.message, /libascendcl\.so/);
  t.ok(error.attempts.length >= 2, 'several candidates were tried');
  t.ok(
    error.attempts.some((a) => a.path === '/usr/local/Ascend/ascend-toolkit/latest/lib64/libascendcl.so'),
    'the default toolkit path was tried',
  );
  t.ok(error.attempts.every((a) => a.reason.length > 0), 'every attempt says why it failed');
  t.end();
});

t.test('ASCEND_HOME_PATH is searched first', (t) => {
  process.env.ASCEND_HOME_PATH = '/opt/nowhere/cann';
  try {
    const error = t.throws(() => acl.open({ backend: 'npu' })) as acl.AclLoadError;
    t.equal(error.attempts[0]?.path, '/opt/nowhere/cann/lib64/libascendcl.so');
    t.match(error.attempts[0]?.reason ?? '', /not found/);
  } finally {
    delete process.env.ASCEND_HOME_PATH;
  }
  t.end();
});

t.test("the 'npu' path works end to end against a real AscendCL library", async (t) => {
  const rt = acl.open({ backend: 'npu', libraryPath: simLibrary });
  t.equal(rt.backend, 'npu');
  t.equal(rt.sim, null, 'no simulator controls on the npu path');
  t.equal(rt.libraryPath, simLibrary);
  const dev = rt.device(0);
  const buf = dev.alloc(64);
  buf.write(new Uint8Array(64).fill(9));
  t.same([...buf.read().subarray(0, 4)], [9, 9, 9, 9]);
  const s = dev.createStream();
  s.fill(buf, 3);
  await s.synchronize();
  t.equal(buf.read()[63], 3);
  rt.close();
});

t.test("CANN's link-only stub library is rejected", (t) => {
  const error = t.throws(() => acl.open({ backend: 'npu', libraryPath: stubLibrary })) as acl.AclLoadError;
  t.type(error, acl.AclLoadError);
  t.equal(error.attempts.length, 1);
  t.match(error.attempts[0]?.reason ?? '', /stub/);
  t.match(error.attempts[0]?.reason ?? '', /100039/);
  t.end();
});

t.test('a missing file is reported as not found', (t) => {
  const error = t.throws(() => acl.open({ backend: 'npu', libraryPath: '/nonexistent/libascendcl.so' })) as acl.AclLoadError;
  t.match(error.attempts[0]?.reason ?? '', /not found/);
  t.end();
});

t.test('a runtime without an optional function reports only that function as unavailable', async (t) => {
  const rt = acl.open({ backend: 'npu', libraryPath: partialLibrary });
  const dev = rt.device(0);
  const a = dev.createStream();
  const b = dev.createStream();
  const e = dev.createEvent();
  a.record(e);
  const error = t.throws(() => b.wait(e, { timeoutMs: 100 })) as acl.AclError;
  t.type(error, acl.AclError);
  t.equal(error.code, 200001);
  t.equal(error.api, 'aclrtStreamWaitEventWithTimeout');
  t.match(error.message, /not available in this runtime/);
  // Everything else still works, including the plain wait and timed synchronizes.
  b.wait(e);
  const buf = dev.alloc(16);
  b.fill(buf, 1);
  await b.synchronize({ timeoutMs: 1000 });
  t.equal(buf.read()[0], 1);
  rt.close();
});

t.test("'auto' falls back to the simulator with one warning saying why", async (t) => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  const rt = acl.open();
  const rt2 = acl.open({ backend: 'auto' });
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  t.equal(rt.backend, 'sim');
  t.match(rt.reason, /no usable NPU runtime/);
  const ours = warnings.filter((w) => (w as Error & { code?: string }).code === 'ASCENDCL_SIMULATED');
  t.equal(ours.length, 1, 'warned once');
  t.match(ours[0]?.message ?? '', /simulator/);
  rt2.close();
  rt.close();
});

t.test('ASCENDCL_BACKEND chooses the backend when open() does not', (t) => {
  process.env.ASCENDCL_BACKEND = 'sim';
  try {
    const rt = acl.open();
    t.equal(rt.backend, 'sim');
    t.match(rt.reason, /ASCENDCL_BACKEND/);
    rt.close();
    process.env.ASCENDCL_BACKEND = 'gpu';
    t.throws(() => acl.open(), { name: 'RangeError', message: /ASCENDCL_BACKEND/ });
  } finally {
    delete process.env.ASCENDCL_BACKEND;
  }
  t.end();
});
