// An HTTP inference service (node:http) that batches concurrent requests into the model's
// dynamic-batch gears, and a load test of it on loopback with batching off and on.
//
//   npx tsx examples/server.ts                      load test: throughput and p99, batching off vs on
//   npx tsx examples/server.ts --serve [port]       just serve: POST /classify {"image": [64 numbers: an 8×8 digit]}
//   npx tsx examples/server.ts --requests 2000 --concurrency 64
//
// Batching: while the model runs one batch, requests queue; when it finishes, everything queued
// (up to the largest gear) becomes the next batch, padded up to the nearest gear. No timer
// decides when a batch starts, so a lone request never waits for company.
import { readFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { parse } from 'npyjs';
import * as acl from 'ascendcl';

const GEARS = [1, 8, 32];
const dir = new URL('../models/digits/', import.meta.url);

interface Pending {
  image: Float32Array;
  resolve: (probabilities: Float32Array) => void;
  reject: (error: unknown) => void;
}

/** Runs single requests through the session, one run each, or gathered into gear-sized batches. */
class Classifier {
  readonly #session: acl.InferenceSession;
  readonly #batching: boolean;
  #queue: Pending[] = [];
  #running = false;
  batches = 0;
  images = 0;

  constructor(session: acl.InferenceSession, batching: boolean) {
    this.#session = session;
    this.#batching = batching;
  }

  classify(image: Float32Array): Promise<Float32Array> {
    if (!this.#batching) {
      this.batches++;
      this.images++;
      return this.#session
        .run({ image: new acl.Tensor(image, [1, PIXELS]) })
        .then(({ probabilities }) => probabilities!.data as Float32Array);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ image, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#queue.length > 0) {
      const largest = GEARS[GEARS.length - 1]!;
      const batch = this.#queue.splice(0, largest);
      const gear = GEARS.find((g) => g >= batch.length)!;
      const input = new Float32Array(gear * PIXELS); // padding rows stay zero
      batch.forEach((p, i) => input.set(p.image, i * PIXELS));
      this.batches++;
      this.images += batch.length;
      try {
        const { probabilities } = await this.#session.run({ image: new acl.Tensor(input, [gear, PIXELS]) });
        const all = probabilities!.data as Float32Array;
        batch.forEach((p, i) => p.resolve(all.slice(i * 10, (i + 1) * 10)));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.#running = false;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 1 << 20) req.destroy(new Error('request body over 1 MiB'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function serve(classifier: Classifier, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/classify') return reply(res, 404, { error: 'POST /classify' });
    readBody(req)
      .then(async (body) => {
        let image: unknown;
        try {
          image = (JSON.parse(body) as { image?: unknown }).image;
        } catch {
          return reply(res, 400, { error: 'expected a JSON body' });
        }
        if (!Array.isArray(image) || image.length !== PIXELS || image.some((v) => typeof v !== 'number')) {
          return reply(res, 400, { error: `expected "image": an array of ${PIXELS} numbers` });
        }
        const probabilities = await classifier.classify(Float32Array.from(image as number[]));
        let digit = 0;
        for (let k = 1; k < 10; k++) if (probabilities[k]! > probabilities[digit]!) digit = k;
        reply(res, 200, { digit, probabilities: Array.from(probabilities) });
      })
      .catch((error: unknown) => reply(res, 500, { error: String(error) }));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function post(agent: Agent, port: number, body: string): Promise<{ digit: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/classify', method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`HTTP ${res.statusCode}: ${text}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function loadTest(batching: boolean, session: acl.InferenceSession, requests: number, concurrency: number) {
  const bytes = readFileSync(new URL('test_images.npy', dir));
  const images = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const labelBytes = readFileSync(new URL('test_labels.npy', dir));
  const labels = parse(labelBytes.buffer.slice(labelBytes.byteOffset, labelBytes.byteOffset + labelBytes.byteLength)).data as BigInt64Array;
  const count = images.shape[0]!;
  const data = images.data as Float32Array;
  const bodies = Array.from({ length: count }, (_, i) => JSON.stringify({ image: Array.from(data.subarray(i * PIXELS, (i + 1) * PIXELS)) }));

  const classifier = new Classifier(session, batching);
  const server = await serve(classifier, 0);
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let correct = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++ % count;
        const t0 = performance.now();
        const { digit } = await post(agent, port, bodies[i]!);
        latencies.push(performance.now() - t0);
        if (digit === Number(labels[i])) correct++;
      }
    }),
  );
  const wallMs = performance.now() - started;
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!;
  return {
    throughput: (requests * 1000) / wallMs,
    p50: at(0.5),
    p99: at(0.99),
    accuracy: correct / requests,
    meanBatch: classifier.images / classifier.batches,
  };
}

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    requests: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '32' },
  },
  allowPositionals: true,
  strict: false,
});

const session = await acl.InferenceSession.create(new URL('model.onnx', dir).pathname, { device: 0, dynamicBatch: GEARS });
/** Values per image, from the model: [batch, 64] for the 8×8 demo digits. */
const PIXELS = session.inputMetadata[0]!.dims[1]!;
if (values.serve) {
  const port = Number(process.argv[process.argv.indexOf('--serve') + 1]) || 8080;
  const server = await serve(new Classifier(session, true), port);
  console.log(`serving on http://127.0.0.1:${(server.address() as AddressInfo).port}/classify`);
  process.once('SIGINT', () => server.close(() => void session.release()));
} else {
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  try {
    const off = await loadTest(false, session, requests, concurrency);
    const on = await loadTest(true, session, requests, concurrency);
    for (const [name, r] of [
      ['batching off', off],
      ['batching on', on],
    ] as const) {
      console.log(
        `${name}: ${requests} requests, ${concurrency} concurrent: ${r.throughput.toFixed(0)} req/s, ` +
          `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, mean batch ${r.meanBatch.toFixed(1)}, accuracy ${r.accuracy.toFixed(4)}`,
      );
    }
    console.log(`throughput with batching: ${(on.throughput / off.throughput).toFixed(2)}x, p99 ${(on.p99 / off.p99).toFixed(2)}x`);
  } finally {
    await session.release();
  }
}
