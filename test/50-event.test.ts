// Events: query, synchronize, elapsed time and its error cases.
import t from 'tap';
import * as acl from 'ascendcl';
import { gate, MiB } from './helpers.js';

t.test('query and synchronize follow the latest record', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const e = dev.createEvent();
  t.equal(e.query(), true, 'never recorded counts as complete');
  const held = gate();
  s.hostFunc(() => held.promise);
  s.record(e);
  t.equal(e.query(), false);
  await t.rejects(e.synchronize({ timeoutMs: 30 }), { code: 507047, codeName: 'ACL_ERROR_RT_EVENT_SYNC_TIMEOUT' });
  t.equal(e.query(), false, 'still usable after the timeout');
  held.open();
  await e.synchronize();
  t.equal(e.query(), true);
  e.synchronizeSync();
  t.equal(e.timing, true);
  rt.close();
});

t.test('elapsedSince measures float milliseconds between records', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const start = dev.createEvent();
  const end = dev.createEvent();
  const a = dev.alloc(32 * MiB);
  const b = dev.alloc(32 * MiB);
  s.record(start);
  for (let i = 0; i < 4; i++) s.copy(b, a);
  s.record(end);
  await end.synchronize();
  const ms = end.elapsedSince(start);
  t.ok(ms > 0, `positive: ${ms}`);
  t.not(Math.round(ms * 1000) / 1000, Math.round(ms), 'a float, not whole milliseconds');
  t.ok(start.elapsedSince(start) === 0);
  rt.close();
});

t.test('elapsedSince fails with 107006 for events never recorded, not complete, or without timing', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const recorded = dev.createEvent();
  const never = dev.createEvent();
  s.record(recorded);
  await s.synchronize();
  t.throws(() => recorded.elapsedSince(never), { code: 107006, codeName: 'ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID' });
  const untimed = dev.createEvent({ timing: false });
  t.equal(untimed.timing, false);
  s.record(untimed);
  await s.synchronize();
  t.throws(() => untimed.elapsedSince(recorded), { code: 107006 });
  const pending = dev.createEvent();
  const held = gate();
  s.hostFunc(() => held.promise);
  s.record(pending);
  t.throws(() => pending.elapsedSince(recorded), { code: 107006 });
  held.open();
  await s.synchronize();
  t.throws(() => pending.elapsedSince('x' as never), { name: 'TypeError', message: /an Event for start/ });
  rt.close();
});

t.test('events of another device are refused with 107003', (t) => {
  const rt = acl.open({ backend: 'sim', sim: { devices: 2 } });
  const e0 = rt.device(0).createEvent();
  const e1 = rt.device(1).createEvent();
  t.throws(() => e1.elapsedSince(e0), { code: 107003 });
  t.throws(() => rt.device(0).createStream().wait(e1), { code: 107003 });
  rt.close();
  t.end();
});

t.test('closing an event while its record is pending is allowed', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const s = dev.createStream();
  const e = dev.createEvent();
  const held = gate();
  s.hostFunc(() => held.promise);
  s.record(e);
  e.close();
  e.close();
  t.equal(e.isClosed, true);
  t.throws(() => e.query(), { name: 'AclClosedError', resource: 'Event' });
  t.equal(rt.stats().events, 0);
  held.open();
  await s.synchronize();
  rt.close();
});
