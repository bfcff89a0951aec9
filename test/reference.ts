// Reference outputs from onnxruntime-node, and the closeness rule of the model issue:
// |ours - theirs| <= atol + rtol * |theirs| (float32: 1e-5 + 1e-4; float16: 1e-4 + 2e-3).
import ort from 'onnxruntime-node';
import * as acl from 'ascendcl';

export type Feeds = Record<string, { type: acl.DataType; data: acl.TypedArray; dims: number[] }>;

/** Run `model` through onnxruntime-node on `feeds`. */
export async function reference(model: string, feeds: Feeds): Promise<Record<string, { data: acl.TypedArray; dims: number[] }>> {
  const session = await ort.InferenceSession.create(model);
  const input: Record<string, ort.Tensor> = {};
  for (const [name, feed] of Object.entries(feeds)) {
    input[name] = new ort.Tensor(feed.type as ort.Tensor.Type, feed.data as never, feed.dims);
  }
  const result = await session.run(input);
  const out: Record<string, { data: acl.TypedArray; dims: number[] }> = {};
  for (const [name, tensor] of Object.entries(result)) out[name] = { data: tensor.data as acl.TypedArray, dims: [...tensor.dims] };
  await session.release();
  return out;
}

/** acl Tensors for the same feeds. */
export function aclFeeds(feeds: Feeds): Record<string, acl.Tensor> {
  const out: Record<string, acl.Tensor> = {};
  for (const [name, feed] of Object.entries(feeds)) out[name] = new acl.Tensor(feed.type, feed.data, feed.dims);
  return out;
}

function asNumbers(type: acl.DataType, data: acl.TypedArray): Float64Array {
  if (type === 'float16') return Float64Array.from(acl.float16.toFloat32(data as Uint16Array));
  return Float64Array.from(data as ArrayLike<number>, Number);
}

/** The worst violation of the closeness rule, and where. */
export function compare(type: acl.DataType, ours: acl.TypedArray, theirs: acl.TypedArray): { worst: number; index: number } {
  const [atol, rtol] = type === 'float16' ? [1e-4, 2e-3] : [1e-5, 1e-4];
  const a = asNumbers(type, ours);
  const b = asNumbers(type, theirs);
  let worst = 0;
  let index = -1;
  if (a.length !== b.length) return { worst: Infinity, index: -1 };
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i]! - b[i]!) - (atol + rtol * Math.abs(b[i]!));
    if (excess > worst || Number.isNaN(excess)) {
      worst = Number.isNaN(excess) ? Infinity : excess;
      index = i;
    }
  }
  return { worst, index };
}

/** Deterministic pseudo-random floats in [-1, 1). */
export function randomFloats(length: number, seed = 1): Float32Array {
  const out = new Float32Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}
