// Data-type tables and float16 conversion, checked against an independent implementation.
import t from 'tap';
import * as acl from 'ascendcl';
import { Float16Array, f16round } from '@petamoriken/float16';

t.test('the data-type table matches aclDataType', (t) => {
  t.equal(acl.dataTypes.float32.aclType, 0);
  t.equal(acl.dataTypes.float16.aclType, 1);
  t.equal(acl.dataTypes.int64.aclType, 9);
  t.equal(acl.dataTypes.bool.aclType, 12);
  t.equal(acl.dataTypes.bfloat16.aclType, 27);
  t.equal(acl.dataTypes.float16.array, Uint16Array);
  t.equal(acl.dataTypes.int64.bytes, 8);
  t.equal(acl.dataTypeFromAcl(3), 'int32');
  t.equal(acl.dataTypeFromAcl(5), undefined);
  t.ok(acl.isDataType('uint8'));
  t.notOk(acl.isDataType('float8'));
  t.end();
});

t.test('float16.fromFloat32 rounds to nearest even, like the reference library', (t) => {
  const values: number[] = [0, -0, 1, -1, 0.1, 1 / 3, 65504, 65519, 65520, 1e5, -1e5, Infinity, -Infinity,
    2 ** -14, 2 ** -24, 2 ** -25, 2 ** -25 * 1.5, 2 ** -26, 1e-8, 1.0009765625, 1.00048828125, 1.00146484375];
  for (let i = 0; i < 20000; i++) values.push((Math.random() - 0.5) * 2 ** (Math.random() * 40 - 20));
  const input = new Float32Array(values);
  const ours = acl.float16.fromFloat32(input);
  const theirs = new Uint16Array(new Float16Array(input).buffer);
  let mismatches = 0;
  for (let i = 0; i < input.length; i++) if (ours[i] !== theirs[i]) mismatches++;
  t.equal(mismatches, 0, `all ${input.length} values agree with @petamoriken/float16`);
  t.equal(acl.float16.fromFloat32(new Float32Array([NaN]))[0]! & 0x7c00, 0x7c00);
  t.ok(acl.float16.fromFloat32(new Float32Array([NaN]))[0]! & 0x3ff, 'NaN stays NaN');
  t.end();
});

t.test('float16.toFloat32 is exact for all 65536 bit patterns', (t) => {
  const bits = new Uint16Array(65536).map((_, i) => i);
  const floats = acl.float16.toFloat32(bits);
  let bad = 0;
  for (let i = 0; i < 65536; i++) {
    const expected = new Float16Array(new Uint16Array([i]).buffer)[0]!;
    const got = floats[i]!;
    if (!(Object.is(got, expected) || (Number.isNaN(got) && Number.isNaN(expected)))) bad++;
  }
  t.equal(bad, 0);
  const roundTrip = acl.float16.fromFloat32(floats);
  let changed = 0;
  for (let i = 0; i < 65536; i++) if ((i & 0x7c00) !== 0x7c00 || (i & 0x3ff) === 0) changed += roundTrip[i] === i ? 0 : 1;
  t.equal(changed, 0, 'every finite value and infinity round-trips');
  t.equal(f16round(0.1), acl.float16.toFloat32(acl.float16.fromFloat32(new Float32Array([0.1])))[0]);
  t.end();
});

t.test('float16 helpers validate their argument', (t) => {
  t.throws(() => acl.float16.fromFloat32([1, 2] as never), { name: 'TypeError', message: /Float32Array for values/ });
  t.throws(() => acl.float16.toFloat32(new Int16Array(2) as never), { name: 'TypeError', message: /Uint16Array for bits/ });
  t.same(acl.float16.fromFloat32(new Float32Array(0)).length, 0);
  t.end();
});
