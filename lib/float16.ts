// float16 helpers: IEEE half-precision values travel as their bits in a Uint16Array (there is
// no Float16Array in Node 20). The conversion runs natively (native/common/float16.h).
import { addon } from './native.js';
import { typeError } from './validate.js';

interface Float16Addon {
  float16FromFloat32(src: Float32Array, dst: Uint16Array): Uint16Array;
  float16ToFloat32(src: Uint16Array, dst: Float32Array): Float32Array;
}
const native = addon as unknown as Float16Addon;

export const float16 = Object.freeze({
  /** Round each value to the nearest float16 (ties to even) and return the bits. */
  fromFloat32(values: Float32Array): Uint16Array {
    if (!(values instanceof Float32Array)) throw typeError('a Float32Array', 'values', values);
    return native.float16FromFloat32(values, new Uint16Array(values.length));
  },
  /** Widen float16 bits to float32 (exact). */
  toFloat32(bits: Uint16Array): Float32Array {
    if (!(bits instanceof Uint16Array)) throw typeError('a Uint16Array', 'bits', bits);
    return native.float16ToFloat32(bits, new Float32Array(bits.length));
  },
});
