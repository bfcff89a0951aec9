// Tensors: typed data with a type and dims, on the host or on a device — the currency of
// InferenceSession.run, shaped like onnxruntime-node's Tensor.
import { AclClosedError } from './errors.js';
import { type DataType, dataTypeOfArray, dataTypes, isDataType, isTypedArray, type TypedArray } from './dtypes.js';
import { DeviceBuffer } from './memory.js';
import { describe, nonNegativeInteger, rangeError, typeError } from './validate.js';

export type TensorLocation = 'cpu' | 'device';

function checkDims(dims: unknown): number[] {
  if (!Array.isArray(dims)) throw typeError('an array of dims', 'dims', dims);
  return dims.map((dim, i) => nonNegativeInteger(dim, `dims[${i}]`));
}

/** The typed array a data type is held in (float16 and bfloat16 as bits in a Uint16Array). */
function matches(type: DataType, array: TypedArray): boolean {
  return array instanceof dataTypes[type].array;
}

/**
 * A tensor: `new Tensor('float32', data, [1, 3])`, or `new Tensor(data, dims)` with the type
 * taken from the array (Float32Array → float32, BigInt64Array → int64, Uint16Array → uint16…).
 * `data` may also be a DeviceBuffer: a device tensor, read with `await getData()`.
 */
export class Tensor {
  readonly type: DataType;
  readonly dims: readonly number[];
  /** Number of elements (the product of dims). */
  readonly size: number;
  readonly location: TensorLocation;
  #data: TypedArray | DeviceBuffer | undefined;

  constructor(type: DataType, data: TypedArray | DeviceBuffer, dims: readonly number[]);
  constructor(data: TypedArray, dims: readonly number[]);
  constructor(...args: [DataType, TypedArray | DeviceBuffer, readonly number[]] | [TypedArray, readonly number[]]) {
    let type: DataType;
    let data: unknown;
    let dims: unknown;
    if (typeof args[0] === 'string') {
      [type, data, dims] = args as [DataType, unknown, unknown];
      if (!isDataType(type)) throw rangeError('a data type such as float32', 'type', type);
    } else {
      [data, dims] = args as [unknown, unknown];
      if (!isTypedArray(data)) throw typeError('a typed array (or a type, then data)', 'data', data);
      type = dataTypeOfArray(data);
    }
    const shape = checkDims(dims);
    const size = shape.reduce((a, b) => a * b, 1);
    if (data instanceof DeviceBuffer) {
      if (data.byteLength !== size * dataTypes[type].bytes) {
        throw rangeError(`a DeviceBuffer of ${size * dataTypes[type].bytes} bytes (${size} × ${type})`, 'data', data);
      }
      this.location = 'device';
    } else {
      if (!isTypedArray(data)) throw typeError('a typed array or a DeviceBuffer', 'data', data);
      if (!matches(type, data)) {
        throw typeError(`a ${dataTypes[type].array.name} for a ${type} tensor`, 'data', data);
      }
      if (data.length !== size) {
        throw rangeError(`${size} elements (the product of dims [${shape.join(', ')}])`, 'data.length', data.length);
      }
      this.location = 'cpu';
    }
    this.type = type;
    this.dims = Object.freeze(shape);
    this.size = size;
    this.#data = data;
  }

  /** The data of a host tensor. A device tensor throws: use `await getData()`. */
  get data(): TypedArray {
    const data = this.#data;
    if (data === undefined) throw new AclClosedError('Tensor');
    if (data instanceof DeviceBuffer) {
      throw new TypeError('the tensor is on the device: use await tensor.getData() to read it');
    }
    return data;
  }

  /** The data on the host: a device tensor is copied back. */
  async getData(): Promise<TypedArray> {
    const data = this.#data;
    if (data === undefined) throw new AclClosedError('Tensor');
    if (!(data instanceof DeviceBuffer)) return data;
    const out = new dataTypes[this.type].array(this.size);
    return data.read(out);
  }

  /** The DeviceBuffer of a device tensor (undefined on the host). */
  get deviceBuffer(): DeviceBuffer | undefined {
    return this.#data instanceof DeviceBuffer ? this.#data : undefined;
  }

  /** Release the data: a device tensor frees its device memory. Idempotent. */
  dispose(): void {
    if (this.#data instanceof DeviceBuffer) this.#data.close();
    this.#data = undefined;
  }

  /** @internal */
  toString(): string {
    return `Tensor(${this.type}, [${this.dims.join(', ')}], ${this.location}${this.#data ? '' : ', disposed'})`;
  }
}

/** @internal A typed array view of `buffer` for `type`. */
export function typedArrayOf(type: DataType, buffer: ArrayBuffer): TypedArray {
  const Array = dataTypes[type].array;
  return new Array(buffer, 0, buffer.byteLength / dataTypes[type].bytes);
}

/** @internal */
export function describeTensor(value: unknown): string {
  return value instanceof Tensor ? value.toString() : describe(value);
}
