import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random.js';

describe('SeededRandom', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const draw = (r: SeededRandom) => Array.from({ length: 5 }, () => r.nextUint32());
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
  });

  it('continues exactly from a saved state (what resume relies on)', () => {
    const rng = new SeededRandom(7);
    rng.normalArray(13);
    const saved = rng.state;
    const expected = [rng.uniform(), rng.normal(), rng.int(10)];
    const resumed = SeededRandom.fromState(saved);
    expect([resumed.uniform(), resumed.normal(), resumed.int(10)]).toEqual(expected);
    expect(() => SeededRandom.fromState([1, 2, 3])).toThrow(/4 unsigned 32-bit integers/);
  });

  it('draws uniforms in [0, 1) and normals with mean 0 and std 1 (100k samples, 4 standard errors)', () => {
    const rng = new SeededRandom(1);
    const n = 100_000;
    const u = rng.uniformArray(n, 0, 1);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const x = rng.normalArray(n);
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  it('makes permutations of 0..n-1', () => {
    const p = new SeededRandom(3).permutation(1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('forks independent named streams deterministically', () => {
    const vision = new SeededRandom(0).fork('vision').nextUint32();
    expect(new SeededRandom(0).fork('vision').nextUint32()).toBe(vision);
    expect(new SeededRandom(0).fork('text').nextUint32()).not.toBe(vision);
  });
});
