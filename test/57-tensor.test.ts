// Tensor: both constructors, validation, data access and disposal.
import t from 'tap';
import * as acl from 'ascendcl';

t.test('constructors take the type explicitly or from the array', (t) => {
  const a = new acl.Tensor('float32', new Float32Array(6), [2, 3]);
  t.equal(a.type, 'float32');
  t.same(a.dims, [2, 3]);
  t.equal(a.size, 6);
  t.equal(a.location, 'cpu');
  t.equal(new acl.Tensor(new BigInt64Array(2), [2]).type, 'int64');
  t.equal(new acl.Tensor(new Uint16Array(2), [2]).type, 'uint16');
  t.equal(new acl.Tensor('float16', new Uint16Array(2), [2]).type, 'float16');
  t.equal(new acl.Tensor('bool', new Uint8Array(1), [1]).type, 'bool');
  t.equal(new acl.Tensor(new Float32Array(0), [0, 4]).size, 0);
  t.equal(new acl.Tensor(new Float32Array(1), []).size, 1, 'a scalar');
  t.end();
});

t.test('mismatches are TypeError (types) and RangeError (sizes)', (t) => {
  t.throws(() => new acl.Tensor('float32', new Int32Array(2), [2]), { name: 'TypeError', message: /Float32Array for a float32 tensor/ });
  t.throws(() => new acl.Tensor('float32', new Float32Array(5), [2, 3]), { name: 'RangeError', message: /6 elements/ });
  t.throws(() => new acl.Tensor('float8' as never, new Float32Array(1), [1]), { name: 'RangeError', message: /data type/ });
  t.throws(() => new acl.Tensor(new Float32Array(1), [-1]), { name: 'RangeError', message: /dims\[0\]/ });
  t.throws(() => new acl.Tensor(new Float32Array(1), 'x' as never), TypeError);
  t.throws(() => new acl.Tensor([1, 2] as never, [2]), TypeError);
  t.end();
});

t.test('device tensors read back with getData; dispose releases', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const buf = rt.device(0).alloc(8);
  buf.write(new Float32Array([1.5, -2]));
  const tensor = new acl.Tensor('float32', buf, [2]);
  t.equal(tensor.location, 'device');
  t.same([...(await tensor.getData())], [1.5, -2]);
  t.throws(() => new acl.Tensor('float32', buf, [3]), { name: 'RangeError', message: /12 bytes/ });
  tensor.dispose();
  t.equal(buf.isClosed, true);
  const host = new acl.Tensor(new Float32Array([3]), [1]);
  host.dispose();
  t.throws(() => host.data, { name: 'AclClosedError', resource: 'Tensor' });
  rt.close();
});
