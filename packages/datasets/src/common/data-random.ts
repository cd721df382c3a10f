import { SeededRandom } from '@clipkit/core';

/**
 * The data stream of a run: `train.seed` forked for "data", so the data order does not shift when the
 * model's initialisation draws more or fewer numbers.
 */
export function dataRandom(seed: number): SeededRandom {
  return new SeededRandom(seed).fork('data');
}

/** The generator of one epoch (its permutation and captions), reachable without replaying earlier epochs. */
export function epochRandom(data: SeededRandom, epoch: number): SeededRandom {
  return SeededRandom.fromState(data.state).fork(`epoch ${epoch}`);
}

/** murmur3's 32-bit finaliser: every input bit flips about half the output bits. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The generator of item `index` of the stream named by `key`, so any item of an endless stream is
 * reachable in O(1) (resuming at batch 10^6 costs no more than at batch 0).
 */
export function itemRandom(key: number, index: number): SeededRandom {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`item index must be a safe integer >= 0, got ${index}`);
  const low = index >>> 0;
  const high = Math.floor(index / 0x100000000);
  return new SeededRandom(mix32(mix32(key ^ mix32(low)) ^ Math.imul(high, 0x9e3779b1)));
}
