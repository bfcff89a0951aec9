// A process forked (fork(2)) after open() gets an AclError-worthy failure, never a hang, for
// every use of the runtime it inherited; the parent is unharmed. Node marks its heap
// MADV_DONTFORK, so a forked child of Node runs only native code: a test addon forks and calls
// the inherited runtime from C, as a native library in a Node service would.
import t from 'tap';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { buildDir, simLibrary } from './helpers.js';

const forking = { exports: {} as { forkAndMalloc(path: string): { status: number; output: string } } };
process.dlopen(forking, join(buildDir, 'test', 'libfork_test.so'));

t.test('a child forked after open() is told to initialise AscendCL in a process of its own', (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const buf = dev.alloc(16);
  const stream = dev.createStream();
  const child = forking.exports.forkAndMalloc(simLibrary);
  t.equal(child.status, 0, 'the child ended normally');
  t.match(child.output, /^100001 aclrtMalloc: this process \(pid \d+\) was forked from pid \d+ after aclInit/);
  t.match(child.output, /Initialise AscendCL in a new process/);
  const error = new acl.AclError({ code: 100001, api: 'aclrtMalloc', recentMessage: child.output.slice(7) });
  t.equal(error.codeName, 'ACL_ERROR_UNINITIALIZE', 'what the binding would throw in the child');
  stream.fill(buf, 2);
  stream.synchronizeSync();
  t.equal(buf.read()[0], 2, 'the parent goes on');
  rt.close();
  t.end();
});
