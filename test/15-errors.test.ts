// The error classes: fields, names from the one native table, categories, hints, messages.
import t from 'tap';
import * as acl from 'ascendcl';

t.test('AclError fields', (t) => {
  const error = new acl.AclError({ code: 207001, api: 'aclrtMalloc', recentMessage: 'out of memory\nTraceBack', deviceId: 0 });
  t.type(error, Error);
  t.equal(error.name, 'AclError');
  t.equal(error.code, 207001);
  t.equal(error.codeName, 'ACL_ERROR_RT_MEMORY_ALLOCATION');
  t.equal(error.api, 'aclrtMalloc');
  t.equal(error.category, 'resource');
  t.equal(error.recentMessage, 'out of memory\nTraceBack');
  t.equal(error.deviceId, 0);
  t.match(error.hint ?? '', /close buffers/);
  t.match(error.message, /^aclrtMalloc failed with 207001 ACL_ERROR_RT_MEMORY_ALLOCATION: out of memory \(/);
  t.end();
});

t.test('categories follow the leading digit', (t) => {
  t.equal(new acl.AclError({ code: 107002, api: 'x' }).category, 'parameter');
  t.equal(new acl.AclError({ code: 207000, api: 'x' }).category, 'resource');
  t.equal(new acl.AclError({ code: 300000, api: 'x' }).category, 'business');
  t.equal(new acl.AclError({ code: 507011, api: 'x' }).category, 'internal');
  t.end();
});

t.test('names come from the table, with spelling traps intact and a fallback', (t) => {
  t.equal(acl.errorCodeName(107002), 'ACL_ERROR_RT_CONTEXT_NULL');
  t.equal(acl.errorCodeName(107033), 'ACL_ERROR_STREAM_TASK_GROUP_STATUS');
  t.equal(acl.errorCodeName(507905), 'ACL_ERROR_SNAPSHOT_LOCK_TIMEOUT');
  t.equal(acl.errorCodeName(145013), 'ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID');
  t.equal(acl.errorCodeName(100039), 'ACL_ERROR_COMPILING_STUB_MODE');
  t.equal(acl.errorCodeName(123456), 'ACL_ERROR_UNKNOWN_123456');
  const unknown = new acl.AclError({ code: 123456, api: 'x' });
  t.equal(unknown.hint, null);
  t.equal(unknown.recentMessage, null);
  t.equal(unknown.deviceId, null);
  t.end();
});

t.test('device-fatal codes are exactly the api.md list', (t) => {
  const fatal = [500000, 507010, 507011, 507014, 507015, 507033, 507053, 507054, 507057, 507899, 507901];
  for (const code of fatal) t.ok(acl.isDeviceFatal(code), `${code} is fatal`);
  for (const code of [107000, 207001, 507046, 507047, 545601, 145000]) t.notOk(acl.isDeviceFatal(code), `${code} is not`);
  t.end();
});

t.test('AclClosedError and AclLoadError', (t) => {
  const closed = new acl.AclClosedError('Stream');
  t.equal(closed.name, 'AclClosedError');
  t.equal(closed.resource, 'Stream');
  t.equal(closed.message, 'Stream is closed');
  const load = new acl.AclLoadError("cannot load the AscendCL runtime libascendcl.so for backend 'npu'", [
    { path: '/a/libascendcl.so', reason: 'not found' },
  ]);
  t.equal(load.name, 'AclLoadError');
  t.same(load.attempts, [{ path: '/a/libascendcl.so', reason: 'not found' }]);
  t.match(load.message, /libascendcl\.so/);
  t.match(load.message, /\/a\/libascendcl\.so: not found/);
  t.end();
});

t.test('runtime errors carry the recent message read on the failing thread', (t) => {
  const rt = acl.open({ backend: 'sim', sim: { memoryBytes: 1 << 20 } });
  const error = t.throws(() => rt.device(0).alloc(2 << 20)) as acl.AclError;
  t.equal(error.api, 'aclrtMalloc');
  t.equal(error.deviceId, 0);
  t.match(error.recentMessage ?? '', /requested 2097152 bytes/);
  t.match(error.message, /requested 2097152 bytes/);
  rt.close();
  t.end();
});

t.test('objects cannot be constructed directly', (t) => {
  t.throws(() => new (acl.Device as unknown as new () => unknown)(), { name: 'TypeError', message: /created by the API/ });
  t.throws(() => new (acl.Stream as unknown as new () => unknown)(), TypeError);
  t.throws(() => new (acl.Runtime as unknown as new () => unknown)(), TypeError);
  t.end();
});
