import { describe, expect, it } from 'vitest';
import { prefetch } from './prefetch.js';

/** A source that records how many items it has produced and whether it was stopped. */
function countingSource(limit: number, failAt?: number) {
  const state = { produced: 0, stopped: false };
  async function* source(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < limit; i++) {
        if (i === failAt) throw new Error(`item ${i} failed`);
        await new Promise((r) => setImmediate(r));
        state.produced++;
        yield i;
      }
    } finally {
      state.stopped = true;
    }
  }
  return { state, source: source() };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('prefetch', () => {
  it('yields every item in order', async () => {
    const { source } = countingSource(7);
    const out: number[] = [];
    for await (const item of prefetch(source, 3)) out.push(item);
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('produces depth items ahead of the consumer while it is busy, and no more', async () => {
    const { state, source } = countingSource(100);
    const iterator = prefetch(source, 3);
    expect((await iterator.next()).value).toBe(0);
    await settle(); // the consumer "trains" while the queue fills
    expect(state.produced).toBe(4); // the item taken + 3 ahead
    await iterator.return(undefined);
  });

  it('stops the source when the consumer breaks out', async () => {
    const { state, source } = countingSource(100);
    for await (const item of prefetch(source, 2)) if (item === 3) break;
    expect(state.stopped).toBe(true);
    expect(state.produced).toBeLessThanOrEqual(6);
  });

  it('raises a failure at the item that failed, after the items before it', async () => {
    const { source } = countingSource(10, 4);
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const item of prefetch(source, 3)) out.push(item);
      })(),
    ).rejects.toThrow('item 4 failed');
    expect(out).toEqual([0, 1, 2, 3]);
  });

  it('rejects a depth below 1', async () => {
    await expect(prefetch(countingSource(1).source, 0).next()).rejects.toThrow(RangeError);
  });
});
