// Timeline traces: rt.trace.start()/stop() as Chrome trace-event JSON, from the simulator's clock
// and from events around each operation (the hardware path, forced here on the simulator).
import t, { type Test } from 'tap';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { root } from './helpers.js';

const tiny = join(root, 'test', 'fixtures', 'models', 'tiny.onnx');

/** Two streams doing every kind of operation; stream b waits for a's record. */
async function workload(device: acl.Device) {
  const model = await device.loadModel(tiny);
  const a = device.createStream();
  const b = device.createStream();
  const host = device.allocHost(1024);
  host.bytes.fill(1);
  const x = device.alloc(1024);
  const y = device.alloc(1024);
  const done = device.createEvent();
  let ran = false;
  return {
    a,
    b,
    model,
    host,
    x,
    y,
    done,
    async run() {
      a.fill(x, 0);
      a.copy(x, host);
      a.execute(model, [x], [y]);
      a.hostFunc(() => {
        ran = true;
      });
      a.record(done);
      b.wait(done);
      b.copy(host, y);
      await Promise.all([a.synchronize(), b.synchronize()]);
      return ran;
    },
  };
}

function operations(trace: acl.ChromeTrace) {
  return trace.traceEvents.filter((e) => e.ph === 'X');
}

function checkFields(t: Test, trace: acl.ChromeTrace) {
  for (const e of trace.traceEvents) {
    t.type(e.name, 'string');
    t.ok(e.ph === 'X' || e.ph === 'M', `ph ${e.ph}`);
    t.type(e.ts, 'number');
    t.type(e.dur, 'number');
    t.type(e.pid, 'number');
    t.type(e.tid, 'number');
    t.ok(e.ts >= 0 && e.dur >= 0, `${e.name}: ts ${e.ts} dur ${e.dur}`);
  }
  t.equal(trace.displayTimeUnit, 'ms');
  // Round-trips through JSON unchanged (what a file holds).
  t.same(JSON.parse(JSON.stringify(trace)), trace);
}

for (const source of ['simulator', 'events'] as const) {
  t.test(`a ${source} trace has every stream operation on one track per stream`, async (t) => {
    const rt = acl.open({ backend: 'sim' });
    const device = rt.device(0);
    const w = await workload(device);
    const eventsBefore = rt.stats().events;
    rt.trace.start({ source });
    t.equal(rt.trace.active, true);
    t.equal(await w.run(), true);
    const trace = rt.trace.stop();
    t.equal(rt.trace.active, false);
    checkFields(t, trace);
    t.equal(trace.otherData.source, source);
    t.equal(trace.otherData.backend, 'sim');
    t.equal(trace.otherData.lost, 0);
    const ops = operations(trace);
    const names = (tid: number) => ops.filter((e) => e.tid === tid).map((e) => e.name);
    const tids = [...new Set(ops.map((e) => e.tid))];
    // The model's own ordering record/wait may add operations, so compare the user's in order.
    const onA = names(tids[0]!).filter((n) => n !== 'wait');
    t.same(onA.slice(0, 3), ['fill', 'copy', 'execute'], `stream a: ${onA.join(' ')}`);
    t.ok(onA.includes('hostFunc') && onA.includes('record'), `stream a: ${onA.join(' ')}`);
    t.same(names(tids[1]!), ['wait', 'copy'], 'stream b');
    t.equal(tids.length, 2, 'two tracks');
    t.ok(ops.every((e) => e.pid === 0), 'device 0');
    // One stream runs one operation at a time: its spans never overlap.
    for (const tid of tids) {
      const spans = ops.filter((e) => e.tid === tid);
      for (let i = 1; i < spans.length; i++) {
        t.ok(spans[i]!.ts >= spans[i - 1]!.ts + spans[i - 1]!.dur - 1, `${spans[i]!.name} after ${spans[i - 1]!.name}`);
      }
    }
    // b's copy ran after a's record completed.
    const record = ops.find((e) => e.name === 'record' && e.tid === tids[0])!;
    const copyB = ops.find((e) => e.name === 'copy' && e.tid === tids[1])!;
    t.ok(copyB.ts >= record.ts, 'the wait held stream b until the record');
    const meta = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name');
    t.same(meta.map((e) => e.args.name).sort(), tids.map((tid) => `stream ${tid}`).sort());
    t.equal(rt.stats().events, eventsBefore, 'the events trace released its events');
    rt.close();
  });
}

t.test('limits, restarts and validation', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const device = rt.device(0);
  const s = device.createStream();
  const buf = device.alloc(64);
  t.same(operations(rt.trace.stop()), [], 'stop without start: an empty trace');
  for (const source of ['simulator', 'events'] as const) {
    rt.trace.start({ source, maxOperations: 2 });
    for (let i = 0; i < 5; i++) s.fill(buf, i);
    await s.synchronize();
    const trace = rt.trace.stop();
    t.equal(operations(trace).length, 2, source);
    t.equal(trace.otherData.lost, 3, source);
  }
  rt.trace.start();
  s.fill(buf, 1);
  await s.synchronize();
  rt.trace.start(); // restarts: the first trace's operations are gone
  s.fill(buf, 2);
  await s.synchronize();
  t.equal(operations(rt.trace.stop()).length, 1);
  t.throws(() => rt.trace.start({ source: 'clock' as never }), RangeError);
  t.throws(() => rt.trace.start({ maxOperations: 0 }), RangeError);
  t.throws(() => rt.trace.start('events' as never), TypeError);
  t.equal(rt.trace.active, false);
  rt.close();
});
