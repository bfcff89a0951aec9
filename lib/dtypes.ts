// Tensor data types: their AscendCL enum values (aclDataType), element sizes, and the typed
// arrays that hold them.

/** A tensor element type. float16 and bfloat16 values are held as their bits in a Uint16Array. */
export type DataType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool';

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type TypedArrayConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

export interface DataTypeInfo {
  /** The aclDataType enum value. */
  readonly aclType: number;
  /** Bytes per element. */
  readonly bytes: number;
  /** The typed array that holds values of this type. */
  readonly array: TypedArrayConstructor;
}

/** Every data type with its AscendCL enum value, element size and typed array. */
export const dataTypes: Readonly<Record<DataType, DataTypeInfo>> = Object.freeze({
  float32: { aclType: 0, bytes: 4, array: Float32Array },
  float16: { aclType: 1, bytes: 2, array: Uint16Array },
  int8: { aclType: 2, bytes: 1, array: Int8Array },
  int32: { aclType: 3, bytes: 4, array: Int32Array },
  uint8: { aclType: 4, bytes: 1, array: Uint8Array },
  int16: { aclType: 6, bytes: 2, array: Int16Array },
  uint16: { aclType: 7, bytes: 2, array: Uint16Array },
  uint32: { aclType: 8, bytes: 4, array: Uint32Array },
  int64: { aclType: 9, bytes: 8, array: BigInt64Array },
  uint64: { aclType: 10, bytes: 8, array: BigUint64Array },
  float64: { aclType: 11, bytes: 8, array: Float64Array },
  bool: { aclType: 12, bytes: 1, array: Uint8Array },
  bfloat16: { aclType: 27, bytes: 2, array: Uint16Array },
});

const byAclType = new Map<number, DataType>(
  (Object.entries(dataTypes) as [DataType, DataTypeInfo][]).map(([name, info]) => [info.aclType, name]),
);

/** The data type of an aclDataType value, or undefined for one we do not map. */
export function dataTypeFromAcl(aclType: number): DataType | undefined {
  return byAclType.get(aclType);
}

export function isDataType(value: unknown): value is DataType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(dataTypes, value);
}

/** The data type a typed array stands for when none is given (Uint16Array → uint16). */
export function dataTypeOfArray(array: TypedArray): DataType {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  if (array instanceof Int8Array) return 'int8';
  if (array instanceof Uint8Array) return 'uint8';
  if (array instanceof Int16Array) return 'int16';
  if (array instanceof Uint16Array) return 'uint16';
  if (array instanceof Int32Array) return 'int32';
  if (array instanceof Uint32Array) return 'uint32';
  if (array instanceof BigInt64Array) return 'int64';
  return 'uint64';
}

export function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof Uint8ClampedArray);
}
