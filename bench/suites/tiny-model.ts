// Whole-stack latency on a tiny model (16×16 MatMul + Add + Relu, test/fixtures/models/tiny.onnx):
// session.runSync and await session.run, each against onnxruntime-node's await session.run on
// the same model and feed (onnxruntime runs it synchronously on the main thread, then resolves),
// interleaved rep by rep.
import path from 'node:path';
import { InferenceSession, type Runtime, Tensor } from '../../dist/index.js';
import { QUICK, ROOT, type Row, median, nsPerAwait, reps, requireFromRoot, row } from '../harness.js';

const ort = requireFromRoot('onnxruntime-node') as typeof import('onnxruntime-node');
export const TINY_MODEL = path.join(ROOT, 'test/fixtures/models/tiny.onnx');

export async function tinyModel(runtime: Runtime): Promise<Row[]> {
  const x = new Float32Array(256).map((_, i) => Math.sin(i));
  const ortSession = await ort.InferenceSession.create(TINY_MODEL, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const ortFeeds = { x: new ort.Tensor('float32', x, [16, 16]) };
  const session = await InferenceSession.create(TINY_MODEL, { device: runtime.device(0) });
  const feeds = { x: new Tensor(x, [16, 16]) };
  try {
    const iterations = QUICK ? 500 : 2000;
    const ortRun = () => ortSession.run(ortFeeds);
    const run = () => session.run(feeds);
    const runSync = () => Promise.resolve(session.runSync(feeds));
    for (let i = 0; i < 300; i++) {
      await ortRun();
      await run();
      session.runSync(feeds);
    }
    // runSync against onnxruntime in CPU time (both run on this thread); await run against it
    // in wall time, because run's cost is mostly the hand-off to a device thread and back.
    const base: number[] = [];
    const baseWall: number[] = [];
    const sync: number[] = [];
    const async: number[] = [];
    for (let r = 0; r < reps(21); r++) {
      base.push(await nsPerAwait(ortRun, iterations, 'cpu'));
      sync.push(await nsPerAwait(runSync, iterations, 'cpu'));
      baseWall.push(await nsPerAwait(ortRun, iterations, 'wall'));
      async.push(await nsPerAwait(run, iterations, 'wall'));
    }
    const b = median(base);
    const bw = median(baseWall);
    const common = { group: 'tiny model', unit: 'µs/run', baselineName: 'onnxruntime-node run' };
    return [
      row({ ...common, name: 'session.runSync', value: median(sync) / 1e3, baseline: b / 1e3, ratio: median(sync) / b, target: { max: 3, text: '≤ 3×' } }),
      row({ ...common, name: 'await session.run (wall)', value: median(async) / 1e3, baseline: bw / 1e3, ratio: median(async) / bw, target: { max: 10, text: '≤ 10×' } }),
    ];
  } finally {
    session.close();
    await ortSession.release();
  }
}
