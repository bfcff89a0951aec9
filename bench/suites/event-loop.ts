// Event-loop delay while four `run` loops share one session for 3 s (the ResNet stem), p99 of
// perf_hooks.monitorEventLoopDelay, and the throughput the loops reach; the same four loops on an
// onnxruntime-node session are the baseline (its run executes on the JS thread). A third figure,
// the p99 of this process idling for the same time, is the floor the machine itself sets: on a
// shared machine the JS thread waits for a core whatever the binding does.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { InferenceSession, type Runtime, Tensor } from '../../dist/index.js';
import { QUICK, type Row, requireFromRoot, row } from '../harness.js';
import { RESNET } from './executor.js';

interface Load {
  p99: number;
  runsPerSecond: number;
}

async function idle(seconds: number): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1e3));
  histogram.disable();
  return histogram.percentile(99) / 1e6;
}

async function underLoad(run: () => Promise<unknown>, seconds: number): Promise<Load> {
  await run();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let runs = 0;
  const end = performance.now() + seconds * 1e3;
  histogram.enable();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < end) {
        await run();
        runs++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1e3;
  histogram.disable();
  return { p99: histogram.percentile(99) / 1e6, runsPerSecond: runs / elapsed };
}

export async function eventLoop(runtime: Runtime): Promise<Row[]> {
  const ort = requireFromRoot('onnxruntime-node') as typeof import('onnxruntime-node');
  const x = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i * 0.01));
  const seconds = QUICK ? 1 : 3;
  const floor = await idle(seconds);
  const ortSession = await ort.InferenceSession.create(RESNET);
  const ortFeeds = { input: new ort.Tensor('float32', x, [1, 3, 224, 224]) };
  const base = await underLoad(() => ortSession.run(ortFeeds), seconds);
  await ortSession.release();
  const session = await InferenceSession.create(RESNET, { device: runtime.device(0) });
  const feeds = { input: new Tensor(x, [1, 3, 224, 224]) };
  const ours = await underLoad(() => session.run(feeds), seconds);
  await session.release();
  return [
    row({
      group: 'event loop',
      name: `p99 delay, idle process, ${seconds} s (the machine's floor)`,
      value: floor,
      unit: 'ms',
      baselineName: '(none: what the loops below add to)',
      baseline: floor,
      ratio: 1,
    }),
    row({
      group: 'event loop',
      name: `p99 delay, 4 run loops on one session, ${seconds} s`,
      value: ours.p99,
      unit: 'ms',
      baselineName: 'onnxruntime-node, same loops',
      baseline: base.p99,
      ratio: ours.p99 / base.p99,
      target: { max: 5, text: '< 5 ms', ofValue: true },
    }),
    row({
      group: 'event loop',
      name: 'throughput of those loops',
      value: ours.runsPerSecond,
      unit: 'runs/s',
      baselineName: 'onnxruntime-node, same loops',
      baseline: base.runsPerSecond,
      ratio: ours.runsPerSecond / base.runsPerSecond,
      note: 'ratio = our runs/s over onnxruntime’s',
    }),
  ];
}
