import { type ClipBatch, ClipkitError, clipPreprocess, type DataPosition } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { SHAPE_TEMPLATES } from './shape-caption.js';
import { inThreadShapeRenderer, workerShapeRenderer } from './shape-renderer.js';
import { shapeSceneAt } from './shape-streams.js';
import { HELD_OUT, SHAPES } from './shape-vocabulary.js';
import { SyntheticShapesDataset } from './synthetic-shapes-dataset.js';
import { shapeStreams } from './synthetic-shapes-plugin.js';

// The worker runs compiled JavaScript: the package's dist (vitest builds the package first, via nx).
const WORKER = new URL('../../dist/synthetic-shapes/shape-render-worker.js', import.meta.url);

/** Batches equal in every field; pixels compared bit for bit (vitest's deep equality is slow on large arrays). */
function expectSameBatch(actual: ClipBatch, expected: ClipBatch): void {
  const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  expect({ ...actual, pixelValues: undefined }).toEqual({ ...expected, pixelValues: undefined });
  expect(bytes(actual.pixelValues).equals(bytes(expected.pixelValues))).toBe(true);
}

/** OpenAI CLIP's transform at the images' size: normalisation only. */
const CLIP_32 = clipPreprocess(32);
const dataset = (trainSeed: number, evalSize = 50) => new SyntheticShapesDataset(inThreadShapeRenderer(shapeStreams(32, trainSeed, 0), CLIP_32), evalSize);

async function take(d: SyntheticShapesDataset, start: DataPosition, n: number, batchSize = 16): Promise<{ batch: ClipBatch; next: DataPosition }[]> {
  const out: { batch: ClipBatch; next: DataPosition }[] = [];
  for await (const item of d.trainBatches({ batchSize, start })) {
    out.push(item);
    if (out.length === n) break;
  }
  return out;
}

describe('SyntheticShapesDataset', () => {
  it('is an endless stream whose positions count batches', async () => {
    const d = dataset(0);
    expect(d.batchesPerEpoch()).toBeNull();
    const batches = await take(d, { epoch: 0, batch: 0 }, 3);
    expect(batches.map((b) => b.next)).toEqual([
      { epoch: 0, batch: 1 },
      { epoch: 0, batch: 2 },
      { epoch: 0, batch: 3 },
    ]);
    expect(batches[0].batch.pixelShape).toEqual([16, 3, 32, 32]);
    expect(batches[0].batch.captions).toHaveLength(16);
  });

  it('holds scenes [bB, (b+1)B) of the training stream in batch b, so no held-out combination appears', async () => {
    const streams = shapeStreams(32, 3, 0);
    const d = new SyntheticShapesDataset(inThreadShapeRenderer(streams, CLIP_32), 10);
    const heldOutPhrases = HELD_OUT.map((h) => `${h.colour} ${h.shape}`);
    for (const { batch, next } of await take(d, { epoch: 0, batch: 0 }, 20, 32)) {
      const b = next.batch - 1;
      batch.captions.forEach((caption, n) => {
        expect(caption).toBe(shapeSceneAt(streams, 'train', b * 32 + n).caption);
        for (const phrase of heldOutPhrases) expect(caption).not.toContain(phrase);
      });
    }
  });

  it('resumes at any batch with what an uninterrupted stream gives there', async () => {
    const straight = await take(dataset(4), { epoch: 0, batch: 0 }, 5);
    const resumed = await take(dataset(4), straight[2].next, 2);
    expect(resumed.map((r) => r.next)).toEqual([straight[3].next, straight[4].next]);
    expectSameBatch(resumed[0].batch, straight[3].batch);
    expectSameBatch(resumed[1].batch, straight[4].batch);
  });

  it('gives the same stream for the same seed and another for another seed', async () => {
    const [a] = await take(dataset(8), { epoch: 0, batch: 0 }, 1);
    const [b] = await take(dataset(8), { epoch: 0, batch: 0 }, 1);
    const [c] = await take(dataset(9), { epoch: 0, batch: 0 }, 1);
    expectSameBatch(b.batch, a.batch);
    expect(c.batch.captions).not.toEqual(a.batch.captions);
  });

  it('rejects positions past epoch 0', () => {
    expect(() => dataset(0).trainBatches({ batchSize: 8, start: { epoch: 1, batch: 0 } })).toThrow(ClipkitError);
  });

  it('classifies shapes zero-shot on held-out images, the same images whatever the training seed', async () => {
    const task = dataset(0, 30).zeroShot();
    expect([task.size, task.classNames, task.templates]).toEqual([30, SHAPES, SHAPE_TEMPLATES]);
    const batches: ClipBatch[] = [];
    for await (const batch of task.batches(8)) batches.push(batch);
    expect(batches.map((b) => b.pixelShape[0])).toEqual([8, 8, 8, 6]);
    expect(batches.flatMap((b) => [...b.labels!])).toEqual(Array.from({ length: 30 }, (_, i) => i % SHAPES.length));
    const other = await dataset(99, 30).zeroShot().batches(8)[Symbol.asyncIterator]().next();
    expectSameBatch(other.value as ClipBatch, batches[0]);
  });

  it('draws the same batches on a worker thread as on the main thread', async () => {
    const streams = shapeStreams(32, 5, 1);
    const onWorker = workerShapeRenderer(streams, CLIP_32, WORKER);
    try {
      const request = { stream: 'train', first: 1_000_000, count: 24 } as const;
      expectSameBatch(await onWorker.render(request), await inThreadShapeRenderer(streams, CLIP_32).render(request));
      const evalRequest = { stream: 'eval', first: 3, count: 5 } as const;
      expectSameBatch(await onWorker.render(evalRequest), await inThreadShapeRenderer(streams, CLIP_32).render(evalRequest));
    } finally {
      await onWorker.dispose();
    }
  });
});
