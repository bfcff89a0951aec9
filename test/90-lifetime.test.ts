// Lifetimes: garbage collection as a backstop, leaving the process with work queued,
// worker_threads, and an event loop that stays free while a stream works.
import t from 'tap';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as acl from 'ascendcl';
import { MiB, runFixture } from './helpers.js';

t.test('thousands of objects dropped without close are freed by GC', async (t) => {
  const result = await runFixture('gc-drop.mjs', ['2000'], { nodeArgs: ['--expose-gc'] });
  t.equal(result.code, 0, result.stderr);
  const { peak, after, sim } = JSON.parse(result.stdout.trim().split('\n').pop()!);
  t.ok(peak.deviceBuffers >= 2000, `peak ${peak.deviceBuffers} device buffers`);
  t.equal(after.deviceBuffers, 0);
  t.equal(after.hostBuffers, 0);
  t.equal(after.events, 0);
  t.equal(after.streams, 1, 'only the stream still referenced');
  t.equal(after.deviceBytes, 0);
  t.equal(after.hostBytes, 0);
  t.equal(sim.allocations, 0, 'the simulator agrees: no device allocations');
  t.equal(sim.hostAllocations, 0);
  t.equal(sim.events, 0);
  t.equal(sim.streams, 1);
});

for (const mode of ['natural', 'exit', 'throw', 'pending-host-func']) {
  t.test(`exiting with queued work and open resources (${mode}) neither crashes nor hangs`, async (t) => {
    const result = await runFixture('exit-with-work.mjs', [mode], { timeoutMs: 30000 });
    t.match(result.stdout, /queued/);
    t.equal(result.signal, null, `no signal (stderr: ${result.stderr.slice(0, 500)})`);
    t.equal(result.code, mode === 'throw' ? 1 : 0);
    if (mode === 'throw') t.match(result.stderr, /uncaught on purpose/);
    t.ok(result.ms < 20000, `ended in ${result.ms} ms`);
  });
}

t.test('four worker_threads use the addon at once and close in any order', async (t) => {
  const result = await runFixture('workers.mjs', [], { timeoutMs: 60000 });
  t.equal(result.code, 0, result.stderr);
  const { results, afterAllWorkers } = JSON.parse(result.stdout.trim().split('\n').pop()!);
  t.equal(results.length, 4);
  for (const r of results) {
    t.ok(r.ok, `worker ${r.index} (${r.end}) read back its own bytes`);
    t.ok(r.hostFuncRan, `worker ${r.index} ran its host function`);
  }
  t.equal(afterAllWorkers.allocations, 0, 'every worker released its device memory');
  t.equal(afterAllWorkers.hostAllocations, 0);
  t.equal(afterAllWorkers.streams, 0);
});

t.test('the event loop stays responsive while a stream works through a long queue', async (t) => {
  const rt = acl.open({ backend: 'sim' });
  const dev = rt.device(0);
  const a = dev.alloc(32 * MiB);
  const b = dev.alloc(32 * MiB);
  const s = dev.createStream();
  for (let i = 0; i < 60; i++) s.copy(i % 2 ? a : b, i % 2 ? b : a);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  const started = performance.now();
  await s.synchronize();
  const elapsed = performance.now() - started;
  clearInterval(ticker);
  histogram.disable();
  const maxMs = histogram.max / 1e6;
  t.ok(elapsed > 20, `the queue took ${elapsed.toFixed(0)} ms`);
  // A wait that blocked the loop would delay it for about the whole queue. The bound scales with
  // the queue's time so that a loaded, shared machine (where an idle process sees 20 ms hiccups)
  // does not fail it, while a blocking wait still does.
  const bound = Math.max(20, elapsed / 3);
  t.ok(maxMs < bound, `max event-loop delay ${maxMs.toFixed(2)} ms < ${bound.toFixed(0)} ms of a ${elapsed.toFixed(0)} ms queue (${ticks} timer ticks ran)`);
  rt.close();
});
