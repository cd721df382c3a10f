import { ClipkitError } from '../errors.js';

/** The safetensors dtypes clipkit reads and writes, with their element size in bytes. */
export const DTYPE_SIZES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;

export type Dtype = keyof typeof DTYPE_SIZES;

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_SIZES, value);
}

/**
 * The typed array a dtype's raw bytes are viewed as. F16 and BF16 have no JS array type: they are kept
 * as raw Uint16Array here; `toFloat32` widens them. BOOL is one byte per value (0 or 1).
 */
export type RawArray = Float64Array | Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

/** A tensor as stored: its dtype, shape and little-endian data. */
export interface HostTensor {
  dtype: Dtype;
  shape: number[];
  data: RawArray;
}

type RawArrayConstructor = { new (buffer: ArrayBuffer): RawArray; readonly name: string };

/** The array type each dtype's bytes are viewed as. */
export const ARRAY_TYPES: Readonly<Record<Dtype, RawArrayConstructor>> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

export function viewAs(dtype: Dtype, buffer: ArrayBuffer): RawArray {
  return new ARRAY_TYPES[dtype](buffer);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

let halfTable: Float32Array | undefined;

/**
 * Every IEEE half's float32 value, indexed by its bits (65,536 entries, 256 kB, built on first use): widening
 * a half is then one load, ~60x faster than decoding its fields (a ViT-B/32's 75M halves: 13 s -> 0.2 s).
 */
function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  return halfTable;
}

/** Any numeric tensor's values as float32 (int64 values beyond 2^24 lose precision, as in any float32 cast). */
export function toFloat32(tensor: HostTensor): Float32Array {
  const { dtype, data } = tensor;
  if (dtype === 'F32') return data as Float32Array;
  if (dtype === 'BF16') {
    // bfloat16 is the top half of a float32.
    const bits = new Uint32Array(data.length);
    for (let i = 0; i < data.length; i++) bits[i] = (data as Uint16Array)[i] << 16;
    return new Float32Array(bits.buffer);
  }
  if (dtype === 'F16') {
    const table = halfToFloatTable();
    const halves = data as Uint16Array;
    const out = new Float32Array(halves.length);
    for (let i = 0; i < halves.length; i++) out[i] = table[halves[i]];
    return out;
  }
  if (dtype === 'I64') return Float32Array.from(data as BigInt64Array, (v) => Number(v));
  return Float32Array.from(data as Exclude<RawArray, BigInt64Array>);
}

/**
 * float32 values as IEEE half bits, rounded to nearest, ties to even, as PyTorch's `.half()`: values past the
 * largest half (65504, after rounding) become infinity, tiny ones subnormal halves or zero; NaN stays NaN.
 */
export function toFloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const b = bits[i];
    const sign = (b >>> 16) & 0x8000;
    const exponent = (b >>> 23) & 0xff;
    const mantissa = b & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0);
      continue;
    }
    const e = exponent - 127 + 15; // the half's biased exponent
    if (e >= 31) {
      out[i] = sign | 0x7c00;
      continue;
    }
    // The 24-bit significand (implicit 1 for normal floats), shifted right to the half's 10 fraction bits:
    // 13 bits for a normal half, more for a subnormal one (whose exponent field is 0).
    const significand = exponent === 0 ? mantissa : mantissa | 0x800000;
    const shift = e >= 1 ? 13 : 14 - e;
    if (shift > 24) {
      out[i] = sign;
      continue;
    }
    let half = significand >>> shift;
    const rest = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    // A normal half's 11 bits hold the implicit 1 at bit 10; adding them to the exponent field lets a carry out
    // of the fraction move the exponent up (to infinity past 65504). A subnormal rounding up to 0x400 is the
    // smallest normal half, as encoded.
    out[i] = sign | (e >= 1 ? (e << 10) + half - 0x400 : half);
  }
  return out;
}

/** Integer tensor values as int32, checking that none overflows (token ids arrive as int64 from PyTorch). */
export function toInt32(tensor: HostTensor, describe: string): Int32Array {
  const { dtype, data } = tensor;
  if (dtype === 'I32') return data as Int32Array;
  if (dtype === 'I64') {
    const out = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = (data as BigInt64Array)[i];
      if (v > 2147483647n || v < -2147483648n) throw new ClipkitError(`${describe}: value ${v} at index ${i} does not fit in int32`);
      out[i] = Number(v);
    }
    return out;
  }
  if (dtype === 'I16' || dtype === 'I8' || dtype === 'U8') return Int32Array.from(data as Int16Array);
  throw new ClipkitError(`${describe}: expected an integer dtype (I64, I32, I16, I8, U8), got ${dtype}`);
}
