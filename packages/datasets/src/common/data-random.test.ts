import type { SeededRandom } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { dataRandom, epochRandom, itemRandom } from './data-random.js';

const draws = (rng: SeededRandom, n = 4) => Array.from({ length: n }, () => rng.nextUint32());

describe('data generators', () => {
  it('give an epoch the same numbers whatever was drawn before', () => {
    const data = dataRandom(3);
    const first = draws(epochRandom(data, 5));
    draws(epochRandom(data, 1), 100);
    expect(draws(epochRandom(data, 5))).toEqual(first);
    expect(draws(epochRandom(dataRandom(3), 5))).toEqual(first);
  });

  it('give different epochs, seeds and items different numbers', () => {
    const data = dataRandom(3);
    expect(draws(epochRandom(data, 0))).not.toEqual(draws(epochRandom(data, 1)));
    expect(draws(epochRandom(dataRandom(4), 0))).not.toEqual(draws(epochRandom(data, 0)));
    // Items: 10,000 consecutive indices (and some past 2^32) all start differently.
    const indices = [...Array.from({ length: 10_000 }, (_, i) => i), 2 ** 32, 2 ** 32 + 1, 2 ** 40];
    const firsts = new Set(indices.map((i) => itemRandom(7, i).nextUint32()));
    expect(firsts.size).toBe(indices.length);
    expect(draws(itemRandom(7, 12))).toEqual(draws(itemRandom(7, 12)));
    expect(draws(itemRandom(8, 12))).not.toEqual(draws(itemRandom(7, 12)));
  });

  it('rejects an item index that is not a whole number', () => {
    expect(() => itemRandom(1, -1)).toThrow(RangeError);
    expect(() => itemRandom(1, 1.5)).toThrow(RangeError);
  });
});
