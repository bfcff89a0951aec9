// The misuse catalogue (docs/simulator.md, "Misuse catalogue"): each scenario misuses the API the
// way real code does and must end in one of api.md's five error classes with a message that names
// the problem — never a crash, a hang or a silent success. Work that must still be queued is held
// on a gate (a host function awaiting a Promise), never by sleeping.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { gate, MiB, root, runFixture } from './helpers.js';

const models = join(root, 'test', 'fixtures', 'models');
const tiny = join(models, 'tiny.onnx');

interface Expected {
  name: 'AclError' | 'AclClosedError' | 'AclLoadError' | 'TypeError' | 'RangeError';
  code?: number;
  api?: string;
  message: RegExp;
}

// What a call ended in: its error (thrown, or the rejection of a returned Promise), or 'success'.
async function outcome(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  return 'success';
}

const FIVE = new Set(['AclError', 'AclClosedError', 'AclLoadError', 'TypeError', 'RangeError']);

async function expectMisuse(t: Test, fn: () => unknown, expected: Expected): Promise<acl.AclError> {
  const error = (await outcome(fn)) as Error & { code?: number; api?: string };
  t.not(error, 'success', 'no silent success');
  t.ok(FIVE.has(error?.name), `one of the five error classes (got ${error?.name})`);
  t.equal(error?.name, expected.name);
  if (expected.code !== undefined) t.equal(error?.code, expected.code, 'code');
  if (expected.api !== undefined) t.equal(error?.api, expected.api, 'api');
  t.match(error?.message, expected.message, 'the message names the problem');
  return error as acl.AclError;
}

// One scenario per test: a fresh runtime, closed at the end whatever happens.
function scenario(title: string, body: (t: Test, rt: acl.Runtime, dev: acl.Device) => Promise<void>, sim?: acl.SimOptions) {
  t.test(title, async (t) => {
    const rt = acl.open({ backend: 'sim', ...(sim ? { sim } : {}) });
    try {
      await body(t, rt, rt.device(0));
    } finally {
      rt.close();
    }
  });
}

// --- arguments: sizes, offsets, types and objects -------------------------------------------

scenario('1. alloc(0)', async (t, _rt, dev) => {
  await expectMisuse(t, () => dev.alloc(0), { name: 'RangeError', message: /positive integer for bytes but received 0/ });
});

scenario('2. alloc with a string, a float, a huge number', async (t, _rt, dev) => {
  await expectMisuse(t, () => dev.alloc('64' as never), { name: 'TypeError', message: /bytes/ });
  await expectMisuse(t, () => dev.allocHost(1.5), { name: 'RangeError', message: /bytes/ });
  await expectMisuse(t, () => dev.alloc(2 ** 60), { name: 'RangeError', message: /bytes/ });
});

scenario('3. alloc past the device capacity', async (t, _rt, dev) => {
  await expectMisuse(t, () => dev.alloc(128 * MiB), { name: 'AclError', code: 207001, api: 'aclrtMalloc', message: /requested/ });
  t.equal(dev.state, 'ok', 'out of memory does not fault the device');
}, { memoryBytes: 64 * MiB });

scenario('4. write past the end of a buffer', async (t, _rt, dev) => {
  const buf = dev.alloc(16);
  await expectMisuse(t, () => buf.write(new Uint8Array(8), 12), { name: 'RangeError', message: /at most 4 bytes.*for src/ });
});

scenario('5. read with a negative or fractional offset, or a wrong destination', async (t, _rt, dev) => {
  const buf = dev.alloc(16);
  await expectMisuse(t, () => buf.read(undefined, -1), { name: 'RangeError', message: /offset/ });
  await expectMisuse(t, () => buf.read(new Uint8Array(4), 0.5), { name: 'RangeError', message: /offset/ });
  await expectMisuse(t, () => buf.read([1, 2] as never), { name: 'TypeError', message: /dst/ });
});

scenario('6. a view outside its buffer', async (t, _rt, dev) => {
  const buf = dev.alloc(16);
  await expectMisuse(t, () => buf.view(16), { name: 'RangeError', message: /offset/ });
  await expectMisuse(t, () => buf.view(8, 9), { name: 'RangeError', message: /at most 8.*for length/ });
});

scenario('7. a stream copy larger than its destination', async (t, _rt, dev) => {
  const s = dev.createStream();
  await expectMisuse(t, () => s.copy(dev.alloc(8), dev.alloc(16)), { name: 'RangeError', message: /byte length of dst.*for bytes/ });
});

scenario('8. stream operations on things that are not buffers or events', async (t, _rt, dev) => {
  const s = dev.createStream();
  await expectMisuse(t, () => s.copy({} as never, dev.alloc(4)), { name: 'TypeError', message: /dst/ });
  await expectMisuse(t, () => s.fill(new Uint8Array(4) as never, 0), { name: 'TypeError', message: /dst/ });
  await expectMisuse(t, () => s.record('event' as never), { name: 'TypeError', message: /event/ });
  await expectMisuse(t, () => s.wait(dev.createStream() as never), { name: 'TypeError', message: /event/ });
  await expectMisuse(t, () => s.hostFunc(42 as never), { name: 'TypeError', message: /fn/ });
});

scenario('9. fill with a byte outside 0..255', async (t, _rt, dev) => {
  await expectMisuse(t, () => dev.createStream().fill(dev.alloc(4), 256), { name: 'RangeError', message: /byte/ });
});

scenario('10. an asynchronous host-to-host copy', async (t, _rt, dev) => {
  await expectMisuse(t, () => dev.createStream().copy(new Uint8Array(4), new Uint8Array(4)), {
    name: 'AclError',
    code: 207000,
    api: 'aclrtMemcpyAsync',
    message: /host-to-host/,
  });
});

scenario('11. an event of another device', async (t, rt, dev) => {
  const other = rt.device(1).createEvent();
  await expectMisuse(t, () => dev.createStream().record(other), { name: 'AclError', code: 107003, message: /device 1/ });
}, { devices: 2 });

scenario('12. a copy between two devices', async (t, rt, dev) => {
  await expectMisuse(t, () => dev.createStream().copy(dev.alloc(4), rt.device(1).alloc(4)), {
    name: 'AclError',
    code: 207000,
    message: /between devices/,
  });
}, { devices: 2 });

scenario('13. device ids and options out of range', async (t, rt, dev) => {
  await expectMisuse(t, () => rt.device(1), { name: 'RangeError', message: /id/ });
  await expectMisuse(t, () => dev.createEvent({ timing: 'yes' as never }), { name: 'TypeError', message: /timing/ });
  await expectMisuse(t, () => acl.open({ backend: 'gpu' as never }), { name: 'RangeError', message: /backend/ });
});

scenario('14. a second open() with other simulator settings', async (t) => {
  await expectMisuse(t, () => acl.open({ backend: 'sim', sim: { devices: 3 } }), {
    name: 'AclError',
    code: 100002,
    api: 'open',
    message: /devices/,
  });
});

// --- closed objects -------------------------------------------------------------------------

scenario('15. a closed buffer, stream, event and device', async (t, _rt, dev) => {
  const buf = dev.alloc(8);
  const s = dev.createStream();
  const e = dev.createEvent();
  buf.close();
  s.close();
  e.close();
  await expectMisuse(t, () => buf.read(), { name: 'AclClosedError', message: /DeviceBuffer is closed/ });
  await expectMisuse(t, () => s.synchronize(), { name: 'AclClosedError', message: /Stream is closed/ });
  await expectMisuse(t, () => dev.createStream().record(e), { name: 'AclClosedError', message: /Event is closed/ });
  dev.close();
  await expectMisuse(t, () => dev.alloc(4), { name: 'AclClosedError', message: /Device is closed/ });
});

scenario('16. a closed runtime, model and session', async (t, rt, dev) => {
  const model = await dev.loadModel(tiny);
  const session = await acl.InferenceSession.create(tiny, { device: dev });
  model.close();
  session.close();
  await expectMisuse(t, () => model.execute([dev.alloc(1024)], [dev.alloc(1024)]), { name: 'AclClosedError', message: /Model/ });
  await expectMisuse(t, () => session.run({}), { name: 'AclClosedError', message: /InferenceSession/ });
  rt.close();
  await expectMisuse(t, () => rt.device(0), { name: 'AclClosedError', message: /Runtime is closed/ });
});

// --- events and timing -----------------------------------------------------------------------

scenario('17. elapsed time of an event never recorded, or without timing', async (t, _rt, dev) => {
  const a = dev.createEvent();
  const b = dev.createEvent({ timing: false });
  const s = dev.createStream();
  await expectMisuse(t, () => a.elapsedSince(dev.createEvent()), { name: 'AclError', code: 107006, message: /never recorded/ });
  s.record(a);
  s.record(b);
  await s.synchronize();
  await expectMisuse(t, () => b.elapsedSince(a), { name: 'AclError', code: 107006, message: /ACL_EVENT_TIME_LINE/ });
});

// --- waits: timeouts and aborts -------------------------------------------------------------

scenario('18. wait options that are not allowed', async (t, _rt, dev) => {
  const s = dev.createStream();
  await expectMisuse(t, () => s.synchronize({ timeoutMs: 0 }), { name: 'RangeError', message: /timeoutMs/ });
  await expectMisuse(t, () => s.synchronize({ timeoutMs: -2 }), { name: 'RangeError', message: /timeoutMs/ });
  await expectMisuse(t, () => dev.synchronize({ signal: {} as never }), { name: 'TypeError', message: /signal/ });
});

scenario('19. a stream and a device that do not finish in time, then do', async (t, _rt, dev) => {
  const s = dev.createStream();
  const held = gate();
  s.hostFunc(() => held.promise);
  await expectMisuse(t, () => s.synchronize({ timeoutMs: 20 }), { name: 'AclError', code: 507046, message: /within 20 ms/ });
  await expectMisuse(t, () => dev.synchronize({ timeoutMs: 20 }), { name: 'AclError', code: 507046, message: /still usable/ });
  held.open();
  await s.synchronize();
  t.equal(s.query(), true, 'usable after the timeout');
});

scenario('20. an event that does not complete in time', async (t, _rt, dev) => {
  const s = dev.createStream();
  const e = dev.createEvent();
  const held = gate();
  s.hostFunc(() => held.promise);
  s.record(e);
  await expectMisuse(t, () => e.synchronize({ timeoutMs: 20 }), { name: 'AclError', code: 507047, message: /within 20 ms/ });
  held.open();
  await e.synchronize();
});

scenario('21. a model execution that does not finish in time', async (t, _rt, dev) => {
  const model = await dev.loadModel(tiny);
  const s = dev.createStream();
  const x = dev.alloc(1024);
  const y = dev.alloc(1024);
  const z = dev.alloc(1024);
  const held = gate();
  s.hostFunc(() => held.promise);
  s.execute(model, [x], [y]); // queued behind the gate: the next execution must wait for it
  await expectMisuse(t, () => model.execute([x], [z], { timeoutMs: 30 }), {
    name: 'AclError',
    code: 545601,
    message: /did not finish within 30 ms; it is still usable/,
  });
  held.open();
  await s.synchronize();
  await model.execute([x], [z]);
});

scenario('22. aborted waits reject with the signal\'s reason', async (t, _rt, dev) => {
  const s = dev.createStream();
  const held = gate();
  s.hostFunc(() => held.promise);
  const controller = new AbortController();
  const waiting = outcome(() => s.synchronize({ signal: controller.signal }));
  controller.abort(new RangeError('given up: the caller aborted'));
  const reason = (await waiting) as Error;
  t.equal(reason.name, 'RangeError');
  t.match(reason.message, /aborted/);
  await expectMisuse(t, () => dev.synchronize({ signal: AbortSignal.abort(new TypeError('aborted before the wait')) }), {
    name: 'TypeError',
    message: /aborted before/,
  });
  held.open();
  await s.synchronize();
});

scenario('23. synchronizeSync while a host function is queued', async (t, _rt, dev) => {
  const s = dev.createStream();
  s.hostFunc(() => undefined);
  await expectMisuse(t, () => s.synchronizeSync(), { name: 'AclError', code: 107000, api: 'stream.synchronizeSync', message: /host function/ });
  await s.synchronize();
});

// --- host functions that throw -----------------------------------------------------------------

scenario('24. a host function that throws, and one that rejects', async (t, _rt, dev) => {
  const s = dev.createStream();
  const buf = dev.alloc(4);
  s.hostFunc(() => {
    throw new TypeError('host function failed on purpose');
  });
  s.fill(buf, 5);
  await expectMisuse(t, () => s.synchronize(), { name: 'TypeError', message: /on purpose/ });
  t.equal(buf.read()[0], 5, 'the stream went on');
  s.hostFunc(async () => {
    throw new RangeError('async host function failed');
  });
  await expectMisuse(t, () => s.synchronize(), { name: 'RangeError', message: /async host function/ });
  await s.synchronize();
});

// --- models and feeds -------------------------------------------------------------------------

scenario('25. malformed and truncated model bytes', async (t, _rt, dev) => {
  await expectMisuse(t, () => dev.loadModel(new Uint8Array([1, 2, 3, 4, 5])), { name: 'AclError', code: 145000, message: /./ });
  const bytes = readFileSync(tiny);
  await expectMisuse(t, () => dev.loadModel(bytes.subarray(0, bytes.length >> 1)), { name: 'AclError', code: 145000, message: /./ });
  await expectMisuse(t, () => dev.loadModel(new Uint8Array(0)), { name: 'RangeError', message: /model/ });
  await expectMisuse(t, () => dev.loadModel(42 as never), { name: 'TypeError', message: /model/ });
});

scenario('26. a model file that does not exist, and an unsupported op', async (t, _rt, dev) => {
  await expectMisuse(t, () => dev.loadModel(join(models, 'missing.onnx')), { name: 'AclError', code: 145002, message: /missing\.onnx/ });
  await expectMisuse(t, () => dev.loadModel(join(models, 'unsupported.onnx')), { name: 'AclError', code: 145000, message: /op|opset/i });
});

scenario('27. execute with the wrong buffers', async (t, _rt, dev) => {
  const model = await dev.loadModel(tiny);
  await expectMisuse(t, () => model.execute([], [dev.alloc(1024)]), { name: 'RangeError', message: /1 buffers \(x\)/ });
  await expectMisuse(t, () => model.execute({ nope: dev.alloc(1024) }, [dev.alloc(1024)]), { name: 'TypeError', message: /unknown input 'nope'/ });
  await expectMisuse(t, () => model.execute([new Uint8Array(1024) as never], [dev.alloc(1024)]), { name: 'TypeError', message: /DeviceBuffer/ });
  await expectMisuse(t, () => model.execute([dev.alloc(1024)], [dev.alloc(1024)], { batch: 2 }), { name: 'RangeError', message: /batch/ });
});

scenario('28. execute with a buffer smaller than the model needs', async (t, _rt, dev) => {
  const model = await dev.loadModel(tiny);
  await expectMisuse(t, () => model.execute([dev.alloc(1024)], [dev.alloc(100)]), { name: 'AclError', code: 145006, message: /needed|needs/ });
  t.throws(() => model.executeSync([dev.alloc(16)], [dev.alloc(1024)]), { name: 'AclError', code: 145006 });
});

scenario('29. session feeds: unknown, missing, wrong type, wrong dims', async (t, _rt, dev) => {
  const session = await acl.InferenceSession.create(tiny, { device: dev });
  const x = new acl.Tensor('float32', new Float32Array(256), [16, 16]);
  await expectMisuse(t, () => session.run({ x, extra: x }), { name: 'TypeError', message: /unknown feed 'extra'.*inputs are x/ });
  await expectMisuse(t, () => session.run({}), { name: 'TypeError', message: /missing feed 'x'/ });
  await expectMisuse(t, () => session.run({ x: new acl.Tensor('int32', new Int32Array(256), [16, 16]) }), { name: 'TypeError', message: /float32 tensor for input 'x'/ });
  await expectMisuse(t, () => session.run({ x: new acl.Tensor('float32', new Float32Array(256), [8, 32]) }), { name: 'RangeError', message: /dims \[16, 16\]/ });
  await expectMisuse(t, () => session.run({ x: new Float32Array(256) as never }), { name: 'TypeError', message: /Tensor/ });
  await expectMisuse(t, () => session.run({ x }, { fetches: ['nope'] }), { name: 'TypeError', message: /unknown fetch/ });
  session.close();
});

scenario('30. a batch that is not a gear', async (t, _rt, dev) => {
  const session = await acl.InferenceSession.create(join(models, 'cnn.onnx'), { device: dev, dynamicBatch: [1, 2, 4] });
  const x = new acl.Tensor('float32', new Float32Array(3 * 3 * 16 * 16), [3, 3, 16, 16]);
  await expectMisuse(t, () => session.run({ x }), { name: 'RangeError', message: /gears \[1, 2, 4\]/ });
  await expectMisuse(t, () => dev.loadModel(tiny, { dynamicBatch: [] }), { name: 'TypeError', message: /dynamicBatch/ });
  session.close();
});

scenario('31. tensors whose data does not match their dims', async (t) => {
  await expectMisuse(t, () => new acl.Tensor('float32', new Float32Array(5), [2, 2]), { name: 'RangeError', message: /./ });
  await expectMisuse(t, () => new acl.Tensor('complex64' as never, new Float32Array(4), [4]), { name: 'RangeError', message: /data type.*complex64/ });
  await expectMisuse(t, () => new acl.Tensor(new Float32Array(4), [2, -2]), { name: 'RangeError', message: /dims/ });
});

// --- hazards ------------------------------------------------------------------------------------

scenario('32. two streams writing one buffer with no event between them', async (t, _rt, dev) => {
  const a = dev.createStream();
  const b = dev.createStream();
  const buf = dev.alloc(64);
  const held = gate();
  a.hostFunc(() => held.promise);
  a.fill(buf, 1);
  const error = await expectMisuse(t, () => b.copy(buf, new Uint8Array(64)), {
    name: 'AclError',
    code: 107000,
    api: 'aclrtMemcpyAsync',
    message: /hazard.*aclrtMemcpyAsync.*allocation #\d+.*aclrtMemsetAsync/,
  });
  t.match(error.recentMessage, /record an event/);
  held.open();
  await a.synchronize();
});

scenario('33. reading a buffer that queued work still writes', async (t, _rt, dev) => {
  const a = dev.createStream();
  const other = dev.createStream();
  const e = dev.createEvent();
  const buf = dev.alloc(64);
  const held = gate();
  other.hostFunc(() => held.promise);
  other.record(e);
  a.wait(e);
  a.copy(buf, new Uint8Array(64).fill(3));
  await expectMisuse(t, () => buf.read(), { name: 'AclError', code: 107000, api: 'aclrtMemcpy', message: /hazard: the host reads.*synchronize/ });
  held.open();
  await dev.synchronize();
  t.equal(buf.read()[0], 3);
});

// --- injected faults and faulted devices ----------------------------------------------------------

scenario('34. an injected failure reaches the caller like a real one', async (t, rt, dev) => {
  rt.sim!.injectFault({ api: 'aclrtCreateStream', nth: 1, code: 207008 });
  const error = await expectMisuse(t, () => dev.createStream(), { name: 'AclError', code: 207008, api: 'aclrtCreateStream', message: /injected fault/ });
  t.match(error.recentMessage, /^aclrtCreateStream: injected fault 207008/);
  t.equal(dev.state, 'ok');
  t.ok(dev.createStream(), 'the next call works');
  await expectMisuse(t, () => rt.sim!.injectFault({ api: 'aclrtMalloc', nth: 0, code: 1 }), { name: 'RangeError', message: /nth/ });
});

scenario('35. a device-fatal failure faults the device until reset()', async (t, rt, dev) => {
  const s = dev.createStream();
  const buf = dev.alloc(16);
  rt.sim!.injectFault({ api: 'aclrtSynchronizeStreamWithTimeout', nth: 1, code: 507011 });
  await expectMisuse(t, () => s.synchronize(), { name: 'AclError', code: 507011, message: /injected/ });
  t.equal(dev.state, 'faulted');
  await expectMisuse(t, () => buf.write(new Uint8Array(4)), { name: 'AclError', code: 507011, api: 'device.faulted', message: /device\.reset\(\)/ });
  await expectMisuse(t, () => dev.loadModel(tiny), { name: 'AclError', api: 'device.faulted', message: /device\.reset\(\)/ });
  await expectMisuse(t, () => s.fill(buf, 0), { name: 'AclError', api: 'device.faulted', message: /reset/ });
  dev.reset();
  t.equal(dev.state, 'ok');
  t.equal(buf.isClosed, true, 'reset closed the device children');
  await expectMisuse(t, () => buf.read(), { name: 'AclClosedError', message: /DeviceBuffer/ });
  const fresh = dev.alloc(16);
  fresh.write(new Uint8Array(16).fill(1));
  t.equal(fresh.read()[0], 1, 'usable again');
});

scenario('36. a timeout or a parameter error never faults a device', async (t, rt, dev) => {
  rt.sim!.injectFault({ api: 'aclrtMalloc', nth: 1, code: 107000 });
  await expectMisuse(t, () => dev.alloc(8), { name: 'AclError', code: 107000, message: /injected/ });
  const s = dev.createStream();
  const held = gate();
  s.hostFunc(() => held.promise);
  await expectMisuse(t, () => s.synchronize({ timeoutMs: 10 }), { name: 'AclError', code: 507046, message: /within/ });
  t.equal(dev.state, 'ok');
  held.open();
  await s.synchronize();
});

scenario('38. executeSync behind a stream execution that waits for a host function', async (t, _rt, dev) => {
  const model = await dev.loadModel(tiny);
  const s = dev.createStream();
  const x = dev.alloc(1024);
  const y = dev.alloc(1024);
  const held = gate();
  s.hostFunc(() => held.promise);
  s.execute(model, [x], [y]);
  await expectMisuse(t, () => model.executeSync([x], [y]), { name: 'AclError', code: 107000, api: 'model.executeSync', message: /host function/ });
  held.open();
  await s.synchronize();
  model.close();
});

scenario('39. a model whose run-time shapes need more memory than the device has', async (t, _rt, dev) => {
  // max(Tile(x, repeats)): 32 Mi repeats make a 128 MiB intermediate on a 64 MiB device.
  const model = await dev.loadModel(join(models, 'tile_max.onnx'));
  const x = dev.alloc(4);
  const repeats = dev.alloc(8);
  const y = dev.alloc(4);
  x.write(new Float32Array([2.5]));
  repeats.write(new BigInt64Array([32n << 20n]));
  await expectMisuse(t, () => model.execute([x, repeats], [y]), {
    name: 'AclError', code: 207001, message: /node 'tile' \(Tile.*out of device memory on device 0/,
  });
  t.equal(dev.state, 'ok', 'out of memory is a resource error: the device is not faulted');
  repeats.write(new BigInt64Array([1000n]));
  await model.execute([x, repeats], [y]);
  t.same([...new Float32Array(y.read().buffer)], [2.5], 'the same model runs once the shapes fit');
  model.close();
}, { memoryBytes: 64 * MiB });

// --- leaving with work queued -----------------------------------------------------------------------

t.test('37. exit, throw or return with work queued and resources open', async (t) => {
  for (const mode of ['natural', 'exit', 'throw', 'pending-host-func']) {
    const result = await runFixture('exit-with-work.mjs', [mode], { timeoutMs: 30000 });
    t.equal(result.signal, null, `${mode}: no crash`);
    t.equal(result.code, mode === 'throw' ? 1 : 0, `${mode}: exit code`);
  }
});
