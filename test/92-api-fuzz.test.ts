// API fuzzing: random values thrown at every public method and getter of every class of api.md
// (Runtime, SimControl, Device, DeviceBuffer, HostBuffer, Stream, Event, Model, InferenceSession,
// Tensor, float16, open, errorCodeName…). Whatever comes out must be one of api.md's five error
// classes — never another error, never a crash — and the process must still work afterwards.
// Methods are found on the prototypes, so a method added later is fuzzed too.
//
// Seeded and reproducible: ASCENDCL_API_FUZZ_SEED=<n> replays a run, ASCENDCL_API_FUZZ_ROUNDS
// makes it longer (the default keeps this file to a few seconds).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as acl from 'ascendcl';
import { root } from './helpers.js';

const seed = Number(process.env.ASCENDCL_API_FUZZ_SEED ?? Date.now() % 1_000_000);
const rounds = Number(process.env.ASCENDCL_API_FUZZ_ROUNDS ?? 12);
const tinyPath = join(root, 'test', 'fixtures', 'models', 'tiny.onnx');
// Pristine model bytes; the pool gets copies, since a read(dst) may write into one.
const tinyBytes = new Uint8Array(readFileSync(tinyPath));

// mulberry32: small, seedable, good enough to pick values.
function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const allowed = [TypeError, RangeError, acl.AclError, acl.AclClosedError, acl.AclLoadError];
function isAllowed(error: unknown): boolean {
  return allowed.some((cls) => error instanceof cls) && typeof (error as Error).message === 'string';
}

type Live = Record<string, unknown>;

// Plain values of every kind, plus objects of the API (live, closed, views, from the other runtime).
function values(live: Live): unknown[] {
  const plain: unknown[] = [
    undefined, null, true, false, 0, -0, 1, 2, 3, 7, 16, 255, 256, 4096, -1, -4096, 1.5, NaN, Infinity, -Infinity,
    2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e300, 0n, 1n, -1n, 2n ** 64n, '', 'x', '0', 'float32',
    'float16', 'int64', 'bool', 'cpu', 'device', 'sim', 'npu', 'auto', '/nonexistent/model.onnx', tinyPath,
    `${tinyPath}.om`, Symbol('s'), () => undefined, async () => undefined, {}, [], [1], [1, 4], [-1, 4], [0],
    [2 ** 40, 2 ** 40], ['x'], [undefined], new Uint8Array(0), new Uint8Array(16), new Float32Array(4),
    new Float32Array(1 << 12), new Uint16Array(4), new BigInt64Array(2), new Int8Array(3), new Float64Array(2),
    new ArrayBuffer(8), new DataView(new ArrayBuffer(8)), tinyBytes.slice(), tinyBytes.slice(0, 40), new Uint8Array(64).fill(0xff),
    { timeoutMs: 100 }, { timeoutMs: 0 }, { timeoutMs: -1 }, { timeoutMs: 1.5 }, { timeoutMs: 'x' },
    { signal: new AbortController().signal }, { signal: 'x' }, { batch: 1 }, { batch: 0 }, { timing: false },
    { timing: 'yes' }, { bytes: 4 }, { fetches: ['y'] }, { fetches: 'y' }, { outputLocation: 'device' },
    { outputLocation: 'gpu' }, { dynamicBatch: [1, 2] }, { dynamicBatch: [0] }, { inputTypes: { x: 'float16' } },
    { inputTypes: { nope: 'float16' } }, { outputTypes: 7 }, { device: 0 }, { device: 5 }, { device: 'x' },
    { backend: 'sim' }, { backend: 'quantum' }, { sim: { devices: 2 } }, { sim: { memoryBytes: -1 } },
    { sim: { faults: [{ api: 'aclrtMalloc', nth: 1, code: 207001 }] } }, { api: 'aclrtMalloc', nth: 1, code: 207001 },
    { api: 'aclrtMalloc', nth: '*', code: 0 }, { api: '', nth: 1, code: 1 }, { x: 1 }, { input: 'x' },
    Object.create(null), new Proxy({}, {}), new Date(0), /re/, new Map(), Promise.resolve(1),
  ];
  return [...plain, ...Object.values(live)];
}

// A fresh set of live objects for one round.
async function makeLive(rt: acl.Runtime): Promise<Live> {
  const dev = rt.device(0);
  const buf = dev.alloc(1024);
  const host = dev.allocHost(64);
  const closedBuf = dev.alloc(8);
  closedBuf.close();
  const model = dev.loadModelSync(tinyBytes);
  const session = await acl.InferenceSession.create(tinyBytes, { device: dev });
  const stream = dev.createStream();
  const event = dev.createEvent();
  const closedEvent = dev.createEvent();
  closedEvent.close();
  const out = dev.alloc(1024); // tiny.onnx: x [16,16] float32 -> y [16,16] float32
  const cpuTensor = new acl.Tensor(new Float32Array(256), [16, 16]);
  return {
    rt, sim: rt.sim, dev, buf, view: buf.view(8, 16), host, hostView: host.view(4, 8), closedBuf, model, session, stream,
    event, closedEvent, cpuTensor, deviceTensor: new acl.Tensor('float32', dev.alloc(16), [4]),
    out, inputs: [buf], outputs: { y: out }, feeds: { [session.inputNames[0]!]: cpuTensor },
  };
}

// Public methods and getters of an object's prototype chain (not the constructor, not #private).
function members(object: object): { name: string | symbol; getter: boolean }[] {
  const found = new Map<string | symbol, boolean>();
  for (let proto = Object.getPrototypeOf(object); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key === 'constructor' || found.has(key)) continue;
      const d = Object.getOwnPropertyDescriptor(proto, key)!;
      if (typeof d.value === 'function') found.set(key, false);
      else if (d.get) found.set(key, true);
    }
  }
  return [...found].map(([name, getter]) => ({ name, getter }));
}

t.test(`random arguments to every public method end in api.md's error classes (seed ${seed})`, async (t) => {
  let calls = 0;
  let errors = 0;
  const bad: string[] = [];
  const check = (what: string, error: unknown) => {
    errors++;
    if (!isAllowed(error)) bad.push(`${what}: ${(error as Error)?.constructor?.name} ${String((error as Error)?.message ?? error)}`);
  };
  const settle = async (what: string, result: unknown) => {
    if (result instanceof Promise) {
      try {
        const value = await result;
        if (value instanceof acl.Model || value instanceof acl.InferenceSession) value.close();
      } catch (error) {
        check(what, error);
      }
    }
  };
  const call = async (what: string, fn: () => unknown) => {
    calls++;
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      check(what, error);
      return;
    }
    await settle(what, result);
  };

  // Module-level functions and constructors.
  const statics: [string, (...args: unknown[]) => unknown][] = [
    ['open', (...a) => (acl.open as (...x: unknown[]) => acl.Runtime)(...a).close()],
    ['new Tensor', (...a) => new (acl.Tensor as unknown as new (...x: unknown[]) => unknown)(...a)],
    ['InferenceSession.create', (...a) => (acl.InferenceSession.create as (...x: unknown[]) => unknown)(...a)],
    ['float16.fromFloat32', (...a) => (acl.float16.fromFloat32 as (...x: unknown[]) => unknown)(...a)],
    ['float16.toFloat32', (...a) => (acl.float16.toFloat32 as (...x: unknown[]) => unknown)(...a)],
    ['errorCodeName', (...a) => (acl.errorCodeName as (...x: unknown[]) => unknown)(...a)],
    ['isDeviceFatal', (...a) => (acl.isDeviceFatal as (...x: unknown[]) => unknown)(...a)],
    ['isDataType', (...a) => (acl.isDataType as (...x: unknown[]) => unknown)(...a)],
    ['dataTypeFromAcl', (...a) => (acl.dataTypeFromAcl as (...x: unknown[]) => unknown)(...a)],
  ];

  for (let round = 0; round < rounds; round++) {
    const rt = acl.open({ backend: 'sim' });
    rt.sim?.clearFaults(); // a fault the last round injected must not break this round's setup
    const live = await makeLive(rt);
    const pool = values(live);
    const args = () => Array.from({ length: Math.floor(random() * 4) }, () => pick(pool));
    for (const [name, fn] of statics) {
      for (let i = 0; i < 6; i++) await call(name, () => fn(...args()));
    }
    // Every object; close() and reset() last so the others meet live objects first.
    const targets = Object.entries(live).filter(([, v]) => v !== null && typeof v === 'object' && !Array.isArray(v) &&
      Object.getPrototypeOf(v) !== Object.prototype);
    const last = new Set<string | symbol>(['close', 'reset', 'release', 'dispose', Symbol.dispose, Symbol.asyncDispose]);
    for (const phase of [0, 1]) {
      for (const [objectName, object] of targets) {
        for (const { name, getter } of members(object as object)) {
          if ((phase === 1) !== last.has(name)) continue;
          const what = `${objectName}.${String(name)}`;
          if (getter) {
            await call(what, () => (object as Record<string | symbol, unknown>)[name]);
            continue;
          }
          const method = (object as Record<string | symbol, (...a: unknown[]) => unknown>)[name]!;
          for (let i = 0; i < (phase === 1 ? 1 : 8); i++) await call(what, () => method.apply(object, args()));
        }
      }
    }
    // After closing everything the methods still only throw the five classes.
    for (const [objectName, object] of targets) {
      for (const { name, getter } of members(object as object)) {
        if (getter) continue;
        const method = (object as Record<string | symbol, (...a: unknown[]) => unknown>)[name]!;
        await call(`${objectName}.${String(name)} (closed)`, () => method.apply(object, args()));
      }
    }
    if (!rt.isClosed) rt.sim?.clearFaults();
    rt.close();
  }

  t.same(bad, [], 'only TypeError, RangeError, AclError, AclClosedError and AclLoadError came out');
  t.ok(calls > 1000 && errors > 100, `${calls} calls, ${errors} errors`);
  // The process survives and the runtime still works end to end.
  const rt = acl.open({ backend: 'sim' });
  const buf = rt.device(0).alloc(16);
  buf.write(new Uint8Array([1, 2, 3]));
  t.same([...buf.read(new Uint8Array(3))], [1, 2, 3]);
  rt.close();
});
