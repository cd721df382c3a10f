import { type ClipBatch, ClipkitError, type DataPosition } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { dropLastBatches, epochBatches, normalisePosition } from './epoch-batches.js';

/** A stand-in batch that records the position it was made for in its caption. */
const produce = async (p: DataPosition): Promise<ClipBatch> => ({ pixelValues: new Float32Array(0), pixelShape: [0, 3, 1, 1], captions: [`${p.epoch}:${p.batch}`] });

async function take(start: DataPosition, n: number): Promise<{ made: string; next: DataPosition }[]> {
  const out: { made: string; next: DataPosition }[] = [];
  for await (const { batch, next } of epochBatches(3, start, 'test', produce)) {
    out.push({ made: batch.captions[0], next });
    if (out.length === n) break;
  }
  return out;
}

describe('epochBatches', () => {
  it('runs through epochs, giving each batch the position after it', async () => {
    expect(await take({ epoch: 0, batch: 1 }, 4)).toEqual([
      { made: '0:1', next: { epoch: 0, batch: 2 } },
      { made: '0:2', next: { epoch: 1, batch: 0 } },
      { made: '1:0', next: { epoch: 1, batch: 1 } },
      { made: '1:1', next: { epoch: 1, batch: 2 } },
    ]);
  });

  it('treats a batch count at or past the end of an epoch as the next epochs', async () => {
    expect(normalisePosition({ epoch: 2, batch: 3 }, 3, 'test')).toEqual({ epoch: 3, batch: 0 });
    expect(normalisePosition({ epoch: 0, batch: 7 }, 3, 'test')).toEqual({ epoch: 2, batch: 1 });
    expect((await take({ epoch: 0, batch: 3 }, 1))[0].made).toBe('1:0');
  });

  it('rejects malformed positions and batch sizes', () => {
    expect(() => normalisePosition({ epoch: -1, batch: 0 }, 3, 'test')).toThrow(ClipkitError);
    expect(() => normalisePosition({ epoch: 0, batch: 0.5 }, 3, 'test')).toThrow(ClipkitError);
    expect(() => dropLastBatches(10, 0, 'test')).toThrow(ClipkitError);
    expect(() => dropLastBatches(10, 11, 'test')).toThrow('10 training samples cannot fill one batch of 11');
    expect(dropLastBatches(60_000, 256, 'test')).toBe(234);
  });
});
