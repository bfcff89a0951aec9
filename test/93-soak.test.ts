// Leaks: the short version of `npm run soak` (tools/soak.ts) in a child process with --expose-gc,
// and rt.sim.leakReport() naming what is still open and, with ASCENDCL_DEBUG_LEAKS=1, the JS
// stack that created it.
import t from 'tap';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { root, runScript } from './helpers.js';

t.test('dropped objects, alloc/close and model load cycles leave nothing live (short soak)', async (t) => {
  // ASan's allocator (redzones, a 256 MiB quarantine of freed blocks) inflates RSS by design: under
  // test:asan the soak's RSS bound is lifted and its assertion skipped; the live-object checks stay.
  const asan = process.env.ASCENDCL_SANITIZER === 'address' && 'RSS is not a leak measure under AddressSanitizer (npm run test:asan)';
  const rssArgs = asan ? ['--rss-mib', '1000000'] : [];
  const result = await runScript(join(root, 'tools', 'soak.ts'), ['--dropped', '6000', '--closed', '10000', '--models', '20', '--json', ...rssArgs], {
    nodeArgs: ['--expose-gc', '--import', 'tsx'],
    timeoutMs: 110000,
  });
  t.equal(result.code, 0, result.stderr);
  const r = JSON.parse(result.stdout.trim().split('\n').pop()!);
  t.ok(r.ok, 'the soak found nothing live');
  t.ok(r.droppedPeak >= 1000, `${r.droppedPeak} objects were live at once before collection`);
  t.ok(r.droppedRounds > 0 && r.closedRounds > 0 && r.modelRounds > 0, 'every phase ended with nothing live');
  for (const key of ['deviceBuffers', 'hostBuffers', 'streams', 'events', 'models', 'sessions', 'deviceBytes', 'hostBytes']) {
    t.equal(r.stats[key], 0, `stats().${key}`);
  }
  for (const key of ['allocations', 'hostAllocations', 'streams', 'events', 'models', 'deviceBytes', 'hostBytes']) {
    t.equal(r.sim[key], 0, `sim.stats().${key}`);
  }
  t.ok(r.rssGrowthMiB < 24, `RSS grew ${r.rssGrowthMiB} MiB`, { skip: asan });
});

t.test('a soak that leaks fails and says what is live', async (t) => {
  // A limit far below any possible growth (RSS can even shrink now that bursts are trimmed)
  // makes the RSS check fail for sure: the failure path prints the leak report.
  const result = await runScript(join(root, 'tools', 'soak.ts'), ['--dropped', '30', '--closed', '30', '--models', '1', '--rss-mib=-1000000', '--json'], {
    nodeArgs: ['--expose-gc', '--import', 'tsx'],
    timeoutMs: 60000,
  });
  t.equal(result.code, 1);
  t.match(result.stderr, /soak: FAILED: RSS grew/);
  t.match(result.stderr, /leak report/);
});

t.test('leakReport names open objects; ASCENDCL_DEBUG_LEAKS=1 adds their creation stacks', (t) => {
  const saved = process.env.ASCENDCL_DEBUG_LEAKS;
  t.teardown(() => {
    if (saved === undefined) delete process.env.ASCENDCL_DEBUG_LEAKS;
    else process.env.ASCENDCL_DEBUG_LEAKS = saved;
  });
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);

  delete process.env.ASCENDCL_DEBUG_LEAKS;
  const untracked = dev.alloc(1000);
  let report = rt.sim!.leakReport();
  t.match(report, /aclrtMalloc/, 'the simulator names the allocation and the API that made it');
  t.match(report, /ASCENDCL_DEBUG_LEAKS=1/, 'and says how to get creation stacks');

  process.env.ASCENDCL_DEBUG_LEAKS = '1';
  const buf = dev.alloc(777);
  const event = dev.createEvent();
  const stream = dev.createStream();
  report = rt.sim!.leakReport();
  t.match(report, /JS objects still open: 3/);
  t.match(report, /DeviceBuffer of 777 bytes on device 0, created\n\s+at .*93-soak\.test\.ts/, 'buffer with its stack');
  t.match(report, /Event on device 0, created/);
  t.match(report, /Stream on device 0, created/);
  t.notMatch(report, /DeviceBuffer of 1000 bytes/, 'created before tracking: no stack');

  buf.close();
  event.close();
  report = rt.sim!.leakReport();
  t.match(report, /JS objects still open: 1\n/);
  t.notMatch(report, /DeviceBuffer of 777/, 'closed objects leave the list');
  stream.close();
  untracked.close();
  t.match(rt.sim!.leakReport(), /JS objects still open: none/);
  rt.close();
  t.end();
});
