import { describe, expect, it } from 'vitest';
import { MicroBatchQueue, SerialRunner } from './micro-batch-queue.js';

/** A runner that records its batches and how many ran at once. */
function recorder(delayMs = 5) {
  const state = { batches: [] as number[][], running: 0, maxRunning: 0 };
  const run = async (items: number[]) => {
    state.batches.push(items);
    state.running++;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    state.running--;
    return items.map((x) => x * 10);
  };
  return { state, run };
}

describe('MicroBatchQueue', () => {
  it('runs requests of one turn as one batch, and each caller gets its own result', async () => {
    const { state, run } = recorder();
    const queue = new MicroBatchQueue(run);
    expect(await Promise.all([1, 2, 3, 4, 5].map((x) => queue.push(x)))).toEqual([10, 20, 30, 40, 50]);
    expect(state.batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('gathers what arrives while a batch runs into the next batch, at most maxBatch at a time, one batch at a time', async () => {
    const { state, run } = recorder(20);
    const queue = new MicroBatchQueue(run, { maxBatch: 3 });
    const first = queue.push(0);
    await new Promise((resolve) => setTimeout(resolve, 5)); // the first batch is running
    const later = [1, 2, 3, 4, 5, 6, 7].map((x) => queue.push(x));
    expect(await Promise.all([first, ...later])).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(state.batches).toEqual([[0], [1, 2, 3], [4, 5, 6], [7]]);
    expect(state.maxRunning).toBe(1);
  });

  it('shares one runner between queues, so one model runs one batch at a time', async () => {
    const { state, run } = recorder(10);
    const runner = new SerialRunner();
    const texts = new MicroBatchQueue(run, { runner });
    const images = new MicroBatchQueue(run, { runner });
    await Promise.all([texts.push(1), images.push(2), texts.push(3), images.push(4)]);
    expect(state.maxRunning).toBe(1);
    expect(state.batches.map((b) => [...b].sort())).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it('drops a request whose signal aborts while it waits, before it reaches the model', async () => {
    const { state, run } = recorder(30);
    const queue = new MicroBatchQueue(run);
    const first = queue.push(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const controller = new AbortController();
    const abandoned = queue.push(2, controller.signal);
    const kept = queue.push(3);
    controller.abort(new Error('timed out'));
    await expect(abandoned).rejects.toThrow('timed out');
    expect(await Promise.all([first, kept])).toEqual([10, 30]);
    expect(state.batches).toEqual([[1], [3]]);
    expect(queue.size).toBe(0);
  });

  it('fails every request of a batch whose run fails, and goes on with the next', async () => {
    let calls = 0;
    const queue = new MicroBatchQueue(async (items: number[]) => {
      if (calls++ === 0) throw new Error('model failed');
      return items;
    });
    const failed = [queue.push(1), queue.push(2)];
    for (const request of failed) await expect(request).rejects.toThrow('model failed');
    expect(await queue.push(3)).toBe(3);
  });
});
