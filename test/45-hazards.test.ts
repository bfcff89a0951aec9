// Hazard detection in the strict simulator: unordered stream work on shared memory, and host
// copies of memory that queued work still touches, fail with 107000 naming both operations and
// the allocation. Events and synchronizes order work; reads never conflict; host functions may
// touch what is queued behind them. Work is held on a gate so "still queued" is certain.
import t from 'tap';
import * as acl from 'ascendcl';
import { gate } from './helpers.js';

function setup(sim: acl.SimOptions = {}) {
  const rt = acl.open({ backend: 'sim', sim });
  const dev = rt.device(0);
  return { rt, dev, a: dev.createStream(), b: dev.createStream(), held: gate() };
}

t.test('two streams writing one buffer without an event: 107000 naming both operations', async (t) => {
  const { rt, dev, a, b, held } = setup();
  const buf = dev.alloc(64);
  a.hostFunc(() => held.promise);
  a.fill(buf, 1);
  const error = t.throws(() => b.fill(buf, 2)) as acl.AclError;
  t.equal(error.code, 107000);
  t.equal(error.api, 'aclrtMemsetAsync');
  t.match(error.message, /hazard/);
  t.match(error.recentMessage, /aclrtMemsetAsync on stream .* writes bytes \[0, 64\)/);
  t.match(error.recentMessage, /allocation #\d+ \(64 bytes/);
  t.match(error.recentMessage, /aclrtMemsetAsync \(operation \d+ on stream .* not finished\) writes bytes \[0, 64\)/);
  t.match(error.recentMessage, /record an event/);
  t.equal(dev.state, 'ok', 'a hazard does not fault the device');
  held.open();
  await a.synchronize();
  b.fill(buf, 2); // ordered now: the first fill finished
  await b.synchronize();
  t.equal(buf.read()[0], 2);
  rt.close();
});

t.test('events order the streams, also through a chain of streams', async (t) => {
  const { rt, dev, a, b, held } = setup();
  const c = dev.createStream();
  const buf = dev.alloc(64);
  const e1 = dev.createEvent();
  const e2 = dev.createEvent();
  a.hostFunc(() => held.promise);
  a.fill(buf, 1);
  a.record(e1);
  b.wait(e1);
  b.fill(buf, 2);
  b.record(e2);
  c.wait(e2);
  c.fill(buf, 3);
  held.open();
  await dev.synchronize();
  t.equal(buf.read()[0], 3, 'ran in the order the events impose');
  rt.close();
});

t.test('an event recorded before the conflicting work does not order it', async (t) => {
  const { rt, dev, a, b, held } = setup();
  const buf = dev.alloc(64);
  const e = dev.createEvent();
  a.hostFunc(() => held.promise);
  a.record(e);
  a.fill(buf, 1); // after the record
  b.wait(e);
  t.throws(() => b.fill(buf, 2), { name: 'AclError', code: 107000, message: /hazard/ });
  held.open();
  await dev.synchronize();
  rt.close();
});

t.test('reads never conflict; disjoint ranges and views never conflict', async (t) => {
  const { rt, dev, a, b, held } = setup();
  const src = dev.alloc(128);
  const x = dev.alloc(128);
  const y = dev.alloc(128);
  a.hostFunc(() => held.promise);
  a.copy(x, src);
  b.copy(y, src); // both read src
  const z = dev.alloc(128);
  a.fill(z.view(0, 64), 7);
  b.fill(z.view(64), 8); // the other half
  held.open();
  await dev.synchronize();
  t.same([...z.read()].slice(62, 66), [7, 7, 8, 8]);
  rt.close();
});

t.test('a host read or write of memory queued work still uses: 107000', async (t) => {
  const { rt, dev, a, b, held } = setup();
  const buf = dev.alloc(32);
  const e = dev.createEvent();
  b.hostFunc(() => held.promise);
  b.record(e);
  a.wait(e);
  a.fill(buf, 9);
  const read = t.throws(() => buf.read()) as acl.AclError;
  t.equal(read.code, 107000);
  t.equal(read.api, 'aclrtMemcpy');
  t.match(read.recentMessage, /the host reads bytes \[0, 32\) of device allocation #\d+/);
  t.match(read.recentMessage, /aclrtMemsetAsync \(operation \d+ on stream .*\) writes bytes \[0, 32\)/);
  t.match(read.recentMessage, /synchronize/);
  t.throws(() => buf.write(new Uint8Array(4), 8), { code: 107000, message: /host writes bytes \[8, 12\)/ });
  held.open();
  await dev.synchronize();
  t.equal(buf.read()[0], 9, 'after a synchronize the read is fine');
  rt.close();
});

t.test('a host read of memory that queued work only reads is fine', async (t) => {
  const { rt, dev, a, b, held } = setup();
  const src = dev.alloc(32);
  const dst = dev.alloc(32);
  const e = dev.createEvent();
  b.hostFunc(() => held.promise);
  b.record(e);
  a.wait(e);
  a.copy(dst, src);
  t.equal(src.read().length, 32);
  held.open();
  await dev.synchronize();
  rt.close();
});

t.test('host functions may touch memory that is queued behind them on their stream', async (t) => {
  const { rt, dev, a } = setup();
  const buf = dev.alloc(4);
  const out = dev.alloc(4);
  a.hostFunc(() => buf.write(new Uint8Array([1, 2, 3, 4])));
  a.copy(out, buf);
  a.hostFunc(async () => {
    await new Promise((resolve) => setImmediate(resolve));
    buf.write(new Uint8Array([5, 6, 7, 8]));
  });
  a.copy(out, buf);
  await a.synchronize();
  t.same([...out.read()], [5, 6, 7, 8]);
  rt.close();
});

t.test('stream-ordered model executions touch their buffers', async (t) => {
  const { rt, dev, a, b, held } = setup();
  const model = await dev.loadModel('test/fixtures/models/tiny.onnx');
  const x = dev.alloc(model.inputs[0]!.byteSize);
  const y = dev.alloc(model.outputs[0]!.byteSize);
  a.hostFunc(() => held.promise);
  a.execute(model, [x], [y]);
  t.throws(() => b.fill(y, 0), { code: 107000, message: /aclmdlExecuteAsync/ }, 'its output is written');
  t.throws(() => b.fill(x, 0), { code: 107000 }, 'its input is read');
  const copy = dev.alloc(model.inputs[0]!.byteSize);
  b.copy(copy, x); // reading the input is fine
  t.throws(() => y.read(), { code: 107000 });
  held.open();
  await dev.synchronize();
  rt.close();
});

t.test('strict: false turns hazard checks off', async (t) => {
  const { rt, dev, a, b, held } = setup({ strict: false });
  const buf = dev.alloc(64);
  a.hostFunc(() => held.promise);
  a.fill(buf, 1);
  b.fill(buf, 2);
  t.equal(buf.read().length, 64);
  held.open();
  await dev.synchronize();
  rt.close();
});
