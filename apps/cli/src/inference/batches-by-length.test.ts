import { describe, expect, it } from 'vitest';
import { batchesByLength } from './batches-by-length.js';

describe('batchesByLength', () => {
  it('groups indices shortest first, ties in input order, the last batch short', () => {
    expect(batchesByLength([5, 2, 9, 2, 7, 1, 5], 3)).toEqual([[5, 1, 3], [0, 6, 4], [2]]);
  });

  it('hands every index over exactly once, whatever the batch size', () => {
    const lengths = Array.from({ length: 50 }, (_, i) => (i * 37) % 11);
    for (const batchSize of [1, 4, 7, 50, 64]) {
      const batches = batchesByLength(lengths, batchSize);
      expect(batches.flat().toSorted((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
      expect(batches.every((batch) => batch.length <= batchSize)).toBe(true);
      // Non-decreasing lengths across the concatenated batches.
      const ordered = batches.flat().map((i) => lengths[i]);
      expect(ordered.every((length, i) => i === 0 || ordered[i - 1] <= length)).toBe(true);
    }
  });
});
