// Device and host buffers: synchronous read/write, views, pinned memory as a Uint8Array,
// detaching on close, and the 64 MiB round trip on a stream.
import t from 'tap';
import * as acl from 'ascendcl';
import { MiB, pattern } from './helpers.js';

t.test('write and read, with offsets and typed arrays of every width', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const buf = dev.alloc(64);
  buf.write(new Float32Array([1.5, -2, 3.25]), 8);
  t.same([...buf.read(new Float32Array(3), 8)], [1.5, -2, 3.25]);
  buf.write(new BigInt64Array([-5n]), 32);
  t.same([...buf.read(new BigInt64Array(1), 32)], [-5n]);
  buf.write(new Uint8Array([1, 2, 3]).buffer, 61);
  t.same([...buf.read(undefined, 61)], [1, 2, 3]);
  t.equal(buf.read().byteLength, 64);
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, 0xdeadbeef);
  buf.write(dv, 0);
  t.same([...buf.read(new Uint8Array(4))], [0xde, 0xad, 0xbe, 0xef]);
  rt.close();
  t.end();
});

t.test('read and write check their ranges with RangeError naming the parameter', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const buf = rt.device(0).alloc(16);
  t.throws(() => buf.write(new Uint8Array(17)), { name: 'RangeError', message: /for src/ });
  t.throws(() => buf.write(new Uint8Array(8), 9), { name: 'RangeError', message: /at most 7 bytes/ });
  t.throws(() => buf.write(new Uint8Array(1), -1), { name: 'RangeError', message: /for offset/ });
  t.throws(() => buf.write('abc' as never), { name: 'TypeError', message: /ArrayBufferView or ArrayBuffer for src but received "abc"/ });
  t.throws(() => buf.read(new Uint8Array(17)), { name: 'RangeError', message: /for dst/ });
  t.throws(() => buf.read([] as never), { name: 'TypeError', message: /for dst/ });
  t.throws(() => buf.read(undefined, 17), RangeError);
  t.equal(buf.read(undefined, 16).byteLength, 0);
  rt.close();
  t.end();
});

t.test('device addresses are bigints in a range host code cannot touch', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const a = dev.alloc(100);
  const b = dev.alloc(100);
  t.type(a.address, 'bigint');
  t.not(a.address, b.address);
  t.equal(a.address % 64n, 0n, 'at least 64-byte aligned');
  t.equal(a.view(10).address, a.address + 10n);
  rt.close();
  t.end();
});

t.test('views: non-owning, bounded, closed with their parent', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const buf = dev.alloc(100);
  buf.write(pattern(100));
  const view = buf.view(10, 20);
  t.equal(view.isView, true);
  t.equal(view.byteLength, 20);
  t.equal(view.parent, buf);
  t.same(view.read(), pattern(100).subarray(10, 30));
  view.write(new Uint8Array([255]), 19);
  t.equal(buf.read()[29], 255);
  t.equal(buf.view(90).byteLength, 10, 'length defaults to the rest');
  t.throws(() => buf.view(100), { name: 'RangeError', message: /offset/ });
  t.throws(() => buf.view(90, 11), { name: 'RangeError', message: /at most 10/ });
  t.throws(() => buf.view(0, 0), RangeError);
  view.close();
  t.equal(view.isClosed, true);
  t.equal(buf.isClosed, false, 'closing a view releases nothing');
  t.equal(rt.stats().deviceBuffers, 1);
  const other = buf.view(0, 10);
  buf.close();
  t.equal(other.isClosed, true, 'closing the buffer closes its views');
  t.throws(() => other.read(), acl.AclClosedError);
  rt.close();
  t.end();
});

t.test('HostBuffer.bytes is the pinned memory itself and is detached on close', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const host = dev.allocHost(32);
  t.equal(host.bytes, host.bytes, 'the same Uint8Array every time');
  t.equal(host.bytes.byteLength, 32);
  host.bytes.set(pattern(32));
  const view = host.view(8, 8);
  t.same(view.bytes, pattern(32).subarray(8, 16));
  view.bytes[0] = 0;
  t.equal(host.bytes[8], 0, 'views share the memory');
  const kept = host.bytes;
  t.equal(rt.stats().hostBytes, 32);
  host.close();
  t.equal(kept.byteLength, 0, 'stale arrays read as empty');
  t.equal(view.bytes.byteLength, 0);
  t.equal(host.isClosed, true);
  t.throws(() => host.view(0), acl.AclClosedError);
  t.equal(rt.stats().hostBuffers, 0);
  rt.close();
  t.end();
});

t.test('HostBuffer.bytes is made on first read: the same array while held, the same memory after a collection', async (t) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const host = dev.allocHost(64);
  const tail = host.bytes.subarray(48); // keeps the ArrayBuffer, not the Uint8Array
  host.bytes.set(pattern(64));
  if (gc) {
    // Whether or not the first array was collected, a new read sees the same memory.
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.same(host.bytes, pattern(64));
  t.equal(host.bytes, host.bytes, 'held arrays keep their identity');
  host.bytes[48] = 7;
  t.equal(tail[0], 7, 'an array kept from before shares the memory');
  // A view read for the first time after its parent closed is empty, like a stale one.
  const view = host.view(0, 16);
  host.close();
  t.equal(view.bytes.byteLength, 0);
  t.equal(host.bytes.byteLength, 0);
  t.equal(tail.byteLength, 0, 'stale arrays read as empty');
  // A buffer never read costs no ArrayBuffer, and closes and drops like any other.
  for (let i = 0; i < 1000; i++) dev.allocHost(128).close();
  t.equal(rt.stats().hostBuffers, 0);
  rt.close();
});

t.test('a 64 MiB pinned-host → device → pinned-host round trip on a stream returns identical bytes while the event loop runs', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const size = 64 * MiB;
  const src = dev.allocHost(size);
  const dst = dev.allocHost(size);
  const buf = dev.alloc(size);
  const data = src.bytes;
  for (let i = 0; i < size; i += 4096) data.set(pattern(4096, i >>> 12), i);
  const s = dev.createStream();
  const e0 = dev.createEvent();
  const e1 = dev.createEvent();
  s.record(e0);
  s.copy(buf, src);
  s.copy(dst, buf);
  s.record(e1);
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  await s.synchronize();
  clearInterval(ticker);
  t.ok(Buffer.compare(dst.bytes, src.bytes) === 0, 'identical bytes');
  const ms = e1.elapsedSince(e0);
  t.ok(ms > 0, `elapsedSince is positive (${ms.toFixed(3)} ms)`);
  t.ok(ticks >= 0, `the event loop ran ${ticks} timer ticks meanwhile`);
  rt.close();
});
