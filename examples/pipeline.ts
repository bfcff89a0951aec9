// A two-stream pipeline: the demo digits, repeated, are cut into chunks of 256 images; two lanes take alternate
// chunks, each with its own stream and model instance, so one lane copies while the other
// executes. A timeline trace records what each stream did and when; open the file it writes in
// https://ui.perfetto.dev or chrome://tracing.
//
//   npx tsx examples/pipeline.ts [trace.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'npyjs';
import * as acl from 'ascendcl';

const CHUNK = 256; // the largest dynamic-batch gear
const CHUNKS = 64;
const tracePath = process.argv[2];

const dir = new URL('../models/digits/', import.meta.url);
const npy = (name: string) => {
  const bytes = readFileSync(new URL(name, dir));
  return parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};
const images = npy('test_images.npy');
const labels = npy('test_labels.npy').data as BigInt64Array;
const [count, pixels] = images.shape as [number, number];
const imageData = images.data as Float32Array;

const rt = acl.open();
const device = rt.device(0);
try {
  const modelPath = new URL('model.onnx', dir).pathname;
  const inBytes = CHUNK * pixels * 4;
  // The input chunks in pinned memory; image i of the stream of chunks is test image i % count.
  const chunks = Array.from({ length: CHUNKS }, (_, c) => {
    const host = device.allocHost(inBytes);
    const values = new Float32Array(host.bytes.buffer, host.bytes.byteOffset, CHUNK * pixels);
    for (let i = 0; i < CHUNK; i++) {
      const image = (c * CHUNK + i) % count;
      values.set(imageData.subarray(image * pixels, (image + 1) * pixels), i * pixels);
    }
    return host;
  });

  const lanes = await Promise.all(
    [0, 1].map(async () => {
      const model = await device.loadModel(modelPath, { dynamicBatch: [1, 8, 32, CHUNK] });
      const outBytes = model.outputs[0]!.byteSize; // the largest gear: CHUNK × 10 floats
      return {
        stream: device.createStream(),
        model,
        outBytes,
        input: device.alloc(inBytes),
        output: device.alloc(outBytes),
        results: device.allocHost(outBytes * (CHUNKS / 2)),
      };
    }),
  );

  const enqueue = () => {
    for (let c = 0; c < CHUNKS; c++) {
      const lane = lanes[c % 2]!;
      const slot = Math.floor(c / 2);
      lane.stream.copy(lane.input, chunks[c]!); // host → device
      lane.stream.execute(lane.model, [lane.input], [lane.output], { batch: CHUNK });
      lane.stream.copy(lane.results.view(slot * lane.outBytes, lane.outBytes), lane.output); // device → host
    }
  };

  // One untimed pass first: fresh memory pays for page faults that would swamp the picture.
  enqueue();
  await Promise.all(lanes.map((lane) => lane.stream.synchronize()));

  rt.trace.start();
  const started = performance.now();
  enqueue(); // nothing here waits
  await Promise.all(lanes.map((lane) => lane.stream.synchronize()));
  const wallMs = performance.now() - started;
  const trace = rt.trace.stop();

  // Check every answer against the labels.
  let correct = 0;
  for (let c = 0; c < CHUNKS; c++) {
    const lane = lanes[c % 2]!;
    const slot = Math.floor(c / 2);
    const probs = new Float32Array(lane.results.bytes.buffer, lane.results.bytes.byteOffset + slot * lane.outBytes, CHUNK * 10);
    for (let i = 0; i < CHUNK; i++) {
      let best = 0;
      for (let k = 1; k < 10; k++) if (probs[i * 10 + k]! > probs[i * 10 + best]!) best = k;
      if (best === Number(labels[(c * CHUNK + i) % count])) correct++;
    }
  }

  // How long both streams were busy at once, from the trace itself.
  const busy = new Map<number, [number, number][]>();
  for (const event of trace.traceEvents) {
    if (event.ph !== 'X') continue;
    const spans = busy.get(event.tid) ?? [];
    spans.push([event.ts, event.ts + event.dur]);
    busy.set(event.tid, spans);
  }
  const [a = [], b = []] = [...busy.values()];
  let overlapUs = 0;
  for (const [s1, e1] of a) for (const [s2, e2] of b) overlapUs += Math.max(0, Math.min(e1, e2) - Math.max(s1, s2));

  const operations = trace.traceEvents.filter((e) => e.ph === 'X').length;
  console.log(`images: ${CHUNKS * CHUNK} in ${CHUNKS} chunks of ${CHUNK} on 2 streams, accuracy ${(correct / (CHUNKS * CHUNK)).toFixed(4)}`);
  console.log(`wall: ${wallMs.toFixed(2)} ms`);
  console.log(`trace: ${operations} operations on ${busy.size} streams (${trace.otherData.source} clock)`);
  console.log(`overlap: ${(overlapUs / 1000).toFixed(2)} ms with both streams busy`);
  if (tracePath) {
    writeFileSync(tracePath, JSON.stringify(trace));
    console.log(`wrote ${tracePath}`);
  }
} finally {
  rt.close();
}
