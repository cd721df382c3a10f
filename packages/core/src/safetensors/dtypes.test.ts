import { describe, expect, it } from 'vitest';
import { toFloat16, toFloat32 } from './dtypes.js';

/** Every half's bits, 0x0000 to 0xffff. */
const ALL_HALVES = Uint16Array.from({ length: 65536 }, (_, h) => h);

/** IEEE 754 binary16 by its definition: (-1)^s x 2^(e-15) x 1.f, subnormals 2^-14 x 0.f. */
function halfValue(h: number): number {
  const sign = h >> 15 ? -1 : 1;
  const e = (h >> 10) & 31;
  const f = h & 1023;
  if (e === 31) return f === 0 ? sign * Infinity : NaN;
  return e === 0 ? sign * f * 2 ** -24 : sign * (1024 + f) * 2 ** (e - 25);
}

const half = (x: number) => toFloat16(Float32Array.of(x))[0];

describe('float16', () => {
  it('widens every one of the 65,536 halves to its exact value', () => {
    const widened = toFloat32({ dtype: 'F16', shape: [65536], data: ALL_HALVES });
    let mismatches = 0;
    for (let h = 0; h < 65536; h++) if (!Object.is(widened[h], halfValue(h)) && !(Number.isNaN(widened[h]) && Number.isNaN(halfValue(h)))) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('narrows every half back to its own bits (NaNs to a NaN)', () => {
    const back = toFloat16(toFloat32({ dtype: 'F16', shape: [65536], data: ALL_HALVES }));
    for (let h = 0; h < 65536; h++) {
      if (Number.isNaN(halfValue(h))) expect(Number.isNaN(halfValue(back[h])), `0x${h.toString(16)}`).toBe(true);
      else if (back[h] !== h) expect(back[h], `0x${h.toString(16)}`).toBe(h);
    }
  });

  it('rounds to nearest, ties to even, between every pair of neighbouring finite halves', () => {
    let checked = 0;
    for (const sign of [0, 0x8000]) {
      for (let h = 0; h < 0x7bff; h++) {
        const [a, b] = [halfValue(sign | h), halfValue(sign | (h + 1))];
        // The midpoint needs 12 significant bits: exact in float32, as are its float32 neighbours.
        const mid = Math.fround((a + b) / 2);
        expect(mid).toBe((a + b) / 2);
        const even = h % 2 === 0 ? h : h + 1;
        const [below, above] = [new Float32Array([mid]), new Float32Array([mid])];
        const bits = [new Uint32Array(below.buffer), new Uint32Array(above.buffer)];
        // One float32 step towards zero / away from zero from the midpoint (|mid| > 0 here).
        bits[0][0] -= 1;
        bits[1][0] += 1;
        if (half(mid) !== (sign | even) || half(below[0]) !== (sign | h) || half(above[0]) !== (sign | (h + 1))) {
          expect([half(mid), half(below[0]), half(above[0])], `between 0x${(sign | h).toString(16)} and its successor`).toEqual([sign | even, sign | h, sign | (h + 1)]);
        }
        checked++;
      }
    }
    expect(checked).toBe(2 * 0x7bff);
  });

  it('overflows to infinity past 65504 and underflows to zero below half the smallest subnormal, as PyTorch', () => {
    expect([half(65504), half(65519.99), half(65520), half(-1e6), half(Infinity)]).toEqual([0x7bff, 0x7bff, 0x7c00, 0xfc00, 0x7c00]);
    expect([half(2 ** -25), half(Math.fround(2 ** -25 * 1.0000001)), half(2 ** -24), half(1e-45), half(-0)]).toEqual([0, 1, 1, 0, 0x8000]);
    expect(Number.isNaN(halfValue(half(NaN)))).toBe(true);
  });
});
