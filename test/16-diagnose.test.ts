// acl.diagnose(): the library search with the stub check, versions, devices, environment and
// the problems found with their fixes.
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { partialLibrary, stubLibrary } from './helpers.js';

t.test('without CANN: every default candidate is searched and the simulator is reported', (t) => {
  const home = mkdtempSync(join(tmpdir(), 'ascend-home-'));
  const saved = { ...process.env };
  process.env.ASCEND_HOME_PATH = home;
  process.env.ASCEND_RT_VISIBLE_DEVICES = 'first';
  try {
    const d = acl.diagnose({ sim: { devices: 2, memoryBytes: 2 ** 30 } });
    t.equal(d.backend, 'sim');
    t.equal(d.search[0]!.path, join(home, 'lib64', 'libascendcl.so'));
    t.ok(d.search.some((c) => c.path === '/usr/local/Ascend/ascend-toolkit/latest/lib64/libascendcl.so'));
    t.equal(d.search[d.search.length - 1]!.path, 'libascendcl.so', 'then the system loader');
    for (const c of d.search) {
      t.equal(c.ok, false, c.path);
      t.match(c.reason, /not found|dlopen failed/, c.path);
    }
    t.same(d.stubCheck, { performed: true, stubs: [] });
    t.equal(d.deviceCount, 2);
    t.same(
      d.devices.map((x) => [x.id, x.memory?.total, x.error]),
      [
        [0, 2 ** 30, null],
        [1, 2 ** 30, null],
      ],
    );
    t.equal(d.socName, 'Ascend910B4');
    t.equal(d.runMode, 'host');
    t.ok(d.aclVersion && d.aclVersion.major >= 1);
    t.equal(d.env.ASCEND_HOME_PATH, home);
    t.equal(d.env.ASCEND_VISIBLE_DEVICES, process.env.ASCEND_VISIBLE_DEVICES ?? null);
    t.ok(Array.isArray(d.deviceNodes));
    t.match(d.addon.path, /\.node$/);
    const missing = d.problems.find((p) => /not installed/.test(p.problem));
    t.equal(missing?.severity, 'info', 'on the simulator a missing CANN is information, not an error');
    t.match(missing?.fix ?? '', /set_env\.sh/);
    t.ok(d.problems.some((p) => p.severity === 'warning' && /ASCEND_RT_VISIBLE_DEVICES/.test(p.problem)));
    t.match(acl.formatDiagnosis(d), /backend\s+sim[\s\S]*devices\s+2[\s\S]*ASCEND_HOME_PATH=/);
  } finally {
    process.env = saved;
  }
  t.end();
});

t.test("CANN's stub library is found, named and explained", (t) => {
  const d = acl.diagnose({ libraryPath: stubLibrary });
  t.equal(d.search.length, 1);
  t.equal(d.search[0]!.stub, true);
  t.equal(d.search[0]!.ok, false);
  t.same(d.stubCheck.stubs, [stubLibrary]);
  const problem = d.problems.find((p) => /stub/.test(p.problem));
  t.equal(problem?.severity, 'error');
  t.match(problem?.fix ?? '', /LD_LIBRARY_PATH/);
  t.equal(d.backend, 'sim');
  t.end();
});

t.test('an older runtime: loads as npu, its missing functions are a warning', (t) => {
  const d = acl.diagnose({ libraryPath: partialLibrary });
  t.equal(d.search[0]!.ok, true);
  t.same(d.search[0]!.missingOptional, ['aclrtStreamWaitEventWithTimeout']);
  t.equal(d.backend, 'npu');
  t.ok(d.deviceCount >= 1);
  t.ok(d.problems.some((p) => p.severity === 'warning' && /aclrtStreamWaitEventWithTimeout/.test(p.problem)));
  t.end();
});

t.test("the 'npu' backend's load error points to diagnose()", (t) => {
  const error = t.throws(() => acl.open({ backend: 'npu', libraryPath: '/nonexistent/libascendcl.so' })) as Error;
  t.match(error.message, /acl\.diagnose\(\)/);
  t.end();
});

t.test('validation', (t) => {
  t.throws(() => acl.diagnose('x' as never), TypeError);
  t.throws(() => acl.diagnose({ libraryPath: '' }), RangeError);
  t.end();
});
