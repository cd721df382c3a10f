import { SeededRandom } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { mutate } from './mutate.js';

describe('mutate', () => {
  it('never changes its input, a Buffer included (found fuzzing: Buffer.slice is a view, so seeds decayed case by case)', () => {
    const input = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const before = Buffer.from(input);
    const changed = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const { bytes } = mutate(input, new SeededRandom(seed), [{ offset: 8, width: 4, name: 'a field' }]);
      if (Buffer.compare(Buffer.from(bytes), before) !== 0) changed.add(String(seed));
    }
    expect(input.equals(before)).toBe(true);
    expect(changed.size).toBeGreaterThan(150); // the mutations themselves still change the copies
  });
});
