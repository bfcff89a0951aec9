// The device's caching pool (device_pool.h): pooled allocations, reuse, poolBytes in stats(),
// trimPool(), the retry after an out-of-memory failure, session outputs kept on the device, and
// that reset and close leave nothing behind in the simulator.
import t from 'tap';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { MiB, root } from './helpers.js';

t.test('pooled blocks are cached on close, reused, and freed by trimPool', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const device = rt.device(0);
  const a = device.alloc(3000, { pooled: true });
  t.equal(a.byteLength, 3000, 'byteLength is the requested size');
  a.write(new Uint8Array(3000).fill(7));
  t.same(a.read().subarray(0, 4), new Uint8Array([7, 7, 7, 7]));
  const address = a.address;
  t.equal(rt.stats().poolBytes, 0);
  a.close();
  t.equal(rt.stats().poolBytes, 4096, 'the block went to the 4 KiB class');
  t.equal(rt.stats().deviceBuffers, 0);
  t.equal(rt.sim!.stats().allocations, 1, 'the runtime still holds the block');
  const b = device.alloc(4000, { pooled: true });
  t.equal(b.address, address, 'a request of the same class reuses the block');
  t.equal(rt.stats().poolBytes, 0);
  b.close();
  device.trimPool();
  t.equal(rt.stats().poolBytes, 0);
  t.equal(rt.sim!.stats().allocations, 0, 'trimPool handed the block back');
  device.trimPool(); // idempotent
  rt.close();
  t.end();
});

t.test('alloc options are validated; unpooled alloc makes exactly one aclrtMalloc', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const device = rt.device(0);
  t.throws(() => device.alloc(16, { pooled: 'yes' as unknown as boolean }), TypeError);
  t.throws(() => device.alloc(16, 5 as unknown as acl.AllocOptions), TypeError);
  device.alloc(16, { pooled: false }).close();
  t.equal(rt.stats().poolBytes, 0, 'pooled: false bypasses the pool');
  rt.sim!.injectFault({ api: 'aclrtMalloc', nth: 1, code: 207001 });
  t.throws(() => device.alloc(16), { code: 207001 });
  rt.sim!.clearFaults();
  rt.close();
  t.end();
});

t.test('an out-of-memory failure trims the pool and retries', (t) => {
  const rt = acl.open({ backend: 'sim', sim: { memoryBytes: 10 * MiB } });
  const device = rt.device(0);
  device.alloc(3 * MiB, { pooled: true }).close(); // cached in the 4 MiB class
  t.equal(rt.stats().poolBytes, 4 * MiB);
  const big = device.alloc(5 * MiB, { pooled: true }); // 8 MiB class: fits only without the cache
  t.equal(rt.stats().poolBytes, 0);
  t.throws(() => device.alloc(5 * MiB, { pooled: true }), { code: 207001 }, 'a real shortage still fails');
  big.close();
  rt.close();
  t.end();
});

t.test('session outputs kept on the device come from the pool and return to it', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const device = rt.device(0);
  const session = await acl.InferenceSession.create(join(root, 'test/fixtures/models/tiny.onnx'), { device });
  const x = new acl.Tensor(new Float32Array(256).fill(0.5), [16, 16]);
  const { y } = await session.run({ x }, { outputLocation: 'device' });
  const onCpu = session.runSync({ x });
  t.same(await y!.getData(), onCpu.y!.data, 'same values as a cpu output');
  const held = rt.stats().poolBytes;
  y!.dispose();
  t.ok(rt.stats().poolBytes > held, 'the output block went back to the pool');
  const again = session.runSync({ x }, { outputLocation: 'device' });
  t.equal(rt.stats().poolBytes, held, 'and was reused by the next run');
  again.y!.dispose();
  session.close();
  device.trimPool();
  t.equal(rt.stats().poolBytes, 0);
  t.equal(rt.sim!.stats().allocations, 0, 'model staging went back through the pool too');
  rt.close();
});

t.test('reset and close free what the pool holds', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const device = rt.device(0);
  const kept = device.alloc(1000, { pooled: true });
  device.alloc(1000, { pooled: true }).close();
  t.ok(rt.stats().poolBytes > 0);
  device.reset();
  t.equal(rt.stats().poolBytes, 0);
  t.ok(kept.isClosed, 'reset closed the live pooled buffer');
  t.equal(rt.sim!.stats().allocations, 0);
  device.alloc(1000, { pooled: true }).close();
  t.ok(rt.stats().poolBytes > 0);
  rt.close();
  const again = acl.open({ backend: 'sim' });
  t.equal(again.sim!.stats().allocations, 0, 'close left no allocation behind');
  again.close();
  t.end();
});
