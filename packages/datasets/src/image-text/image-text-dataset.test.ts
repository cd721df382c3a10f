import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClipBatch, ClipkitError, clipPreprocess, type DataPosition } from '@clipkit/core';
import { CLIP_MEAN, CLIP_STD } from '@clipkit/images';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inThreadImageLoader, workerImageLoader } from '../common/image-loader.js';
import type { ImagePipelineOptions } from '../common/image-pipeline.js';
import type { ImageTextDataConfig } from './image-text-config.js';
import { ImageTextDataset } from './image-text-dataset.js';
import { readImageTextRows } from './image-text-plugin.js';

// The worker runs compiled JavaScript: the package's dist (vitest builds the package first, via nx).
const WORKER = new URL('../../dist/common/image-load-worker.js', import.meta.url);
const SIDE = 8;
const PIPELINE: ImagePipelineOptions = { preprocess: clipPreprocess(SIDE), imageSize: SIDE, augment: null, augmentKey: 0 };

const root = mkdtempSync(join(tmpdir(), 'clipkit-image-text-'));
const folder = join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Image i is a solid colour whose red level is 20 i, so a batch's pixels tell which image it holds. */
const red = (i: number) => 20 * i;
const GOOD = 10;

function config(file: string, evalFile: string | null = null): ImageTextDataConfig {
  return { type: 'image-text', path: folder, file, imageKey: 'filepath', captionKey: 'title', separator: '\t', evalFile, augment: null };
}

beforeAll(async () => {
  mkdirSync(join(folder, 'img'), { recursive: true });
  for (let i = 0; i < GOOD; i++) {
    await sharp({ create: { width: 12 + i, height: 10, channels: 3, background: { r: red(i), g: 100, b: 200 } } })
      .png()
      .toFile(join(folder, 'img', `${i}.png`));
  }
  writeFileSync(join(folder, 'img', 'corrupt.png'), Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(40, 7)]));
  const rows = [...Array.from({ length: GOOD }, (_, i) => `img/${i}.png\timage ${i}`), 'img/corrupt.png\tcorrupt', 'img/missing.png\tmissing'];
  writeFileSync(join(folder, 'train.tsv'), `filepath\ttitle\n${rows.join('\n')}\n`);
  writeFileSync(
    join(folder, 'eval.jsonl'),
    ['img/3.png', 'img/corrupt.png', 'img/4.png', 'img/5.png', 'img/6.png'].map((p, i) => JSON.stringify({ filepath: p, title: `eval ${i}` })).join('\n'),
  );
  writeFileSync(join(folder, 'escape.tsv'), 'filepath\ttitle\nimg/1.png\tfine\n../outside.png\tescapes\n');
  writeFileSync(
    join(folder, 'absolute.jsonl'),
    `${JSON.stringify({ filepath: join(folder, 'img/1.png'), title: 'inside' })}\n${JSON.stringify({ filepath: '/etc/hostname', title: 'outside' })}\n`,
  );
  writeFileSync(join(folder, 'bad-only.tsv'), 'filepath\ttitle\nimg/corrupt.png\ta\nimg/missing.png\tb\nimg/1.png\tc\n');
});

function dataset(seed = 0, file = 'train.tsv', log: string[] = []) {
  const data = config(file, 'eval.jsonl');
  return new ImageTextDataset({
    train: readImageTextRows(data, file),
    eval: readImageTextRows(data, 'eval.jsonl'),
    imageSize: SIDE,
    preprocess: PIPELINE.preprocess,
    seed,
    loader: inThreadImageLoader(PIPELINE),
    log: (m) => log.push(m),
  });
}

async function take(d: ImageTextDataset, start: DataPosition, n: number, batchSize = 4): Promise<{ batch: ClipBatch; next: DataPosition }[]> {
  const out: { batch: ClipBatch; next: DataPosition }[] = [];
  for await (const item of d.trainBatches({ batchSize, start })) {
    out.push(item);
    if (out.length === n) break;
  }
  return out;
}

/** The image index a batch row shows, read back from its red channel (CLIP-normalised). */
function shownImage(batch: ClipBatch, n: number): number {
  const value = batch.pixelValues[n * 3 * SIDE * SIDE]; // channel 0, first pixel
  return Math.round(((value * CLIP_STD[0] + CLIP_MEAN[0]) * 255) / 20);
}

describe('ImageTextDataset', () => {
  it('skips and counts unreadable images, filling each batch from the next pairs, and logs where they are', async () => {
    const log: string[] = [];
    const d = dataset(0, 'train.tsv', log);
    expect(d.batchesPerEpoch(4)).toBe(3); // 12 rows, drop-last
    const epoch = await take(d, { epoch: 0, batch: 0 }, 3);
    expect(epoch.map((e) => e.next)).toEqual([
      { epoch: 0, batch: 1 },
      { epoch: 0, batch: 2 },
      { epoch: 1, batch: 0 },
    ]);
    for (const { batch } of epoch) {
      expect(batch.pixelShape).toEqual([4, 3, SIDE, SIDE]);
      expect(new Set(batch.captions).size).toBe(4);
      for (const [n, caption] of batch.captions.entries()) expect(caption).toBe(`image ${shownImage(batch, n)}`);
    }
    // Batch b starts at position 4b of the permutation, so the epoch reaches all 12 rows and both bad ones.
    expect(d.skipped).toBe(2);
    expect(log).toHaveLength(2);
    expect(log.join('\n')).toContain(`${join(folder, 'train.tsv')}:12: `);
    expect(log.join('\n')).toContain(`${join(folder, 'train.tsv')}:13: `);
    await d.dispose();
  });

  it('resumes from a position with the batches an uninterrupted run gives, and follows the seed', async () => {
    const straight = await take(dataset(2), { epoch: 0, batch: 0 }, 7);
    const resumed = await take(dataset(2), straight[3].next, 3);
    expect(resumed.map((r) => r.next)).toEqual(straight.slice(4).map((s) => s.next));
    expect(resumed.map((r) => r.batch.captions)).toEqual(straight.slice(4).map((s) => s.batch.captions));
    expect(resumed.map((r) => [...r.batch.pixelValues])).toEqual(straight.slice(4).map((s) => [...s.batch.pixelValues]));
    const again = await take(dataset(2), { epoch: 0, batch: 0 }, 2);
    expect(again.map((r) => r.batch.captions)).toEqual(straight.slice(0, 2).map((s) => s.batch.captions));
    const other = await take(dataset(3), { epoch: 0, batch: 0 }, 2);
    expect(other.map((r) => r.batch.captions)).not.toEqual(straight.slice(0, 2).map((s) => s.batch.captions));
  });

  it('fails with a clear message when too few images can be read for one batch', async () => {
    await expect(take(dataset(0, 'bad-only.tsv'), { epoch: 0, batch: 0 }, 1, 2)).rejects.toThrow(ClipkitError);
    await expect(take(dataset(0, 'bad-only.tsv'), { epoch: 0, batch: 0 }, 1, 2)).rejects.toThrow('only 1 of the 3 training images can be read, fewer than a batch of 2');
  });

  it('gives the retrieval pairs of evalFile in order, skipping unreadable images', async () => {
    const d = dataset();
    const task = d.retrieval()!;
    expect(task.size).toBe(5);
    const batches: ClipBatch[] = [];
    for await (const batch of task.batches(2)) batches.push(batch);
    expect(batches.map((b) => b.captions)).toEqual([['eval 0'], ['eval 2', 'eval 3'], ['eval 4']]);
    expect(batches.flatMap((b) => b.captions.map((_, n) => shownImage(b, n)))).toEqual([3, 4, 5, 6]);
    expect(d.skipped).toBe(1);
    expect(d.zeroShot()).toBeUndefined();
  });

  it('rejects image paths that leave the data folder, naming the row', () => {
    expect(() => readImageTextRows(config('escape.tsv'), 'escape.tsv')).toThrow(ClipkitError);
    expect(() => readImageTextRows(config('escape.tsv'), 'escape.tsv')).toThrow(`${join(folder, 'escape.tsv')}:3: image path "../outside.png" is outside the data folder`);
    expect(() => readImageTextRows(config('absolute.jsonl'), 'absolute.jsonl')).toThrow(`${join(folder, 'absolute.jsonl')}:2: image path "/etc/hostname" is outside`);
  });

  it('decodes and augments on a worker thread to the same pixels as on the main thread', async () => {
    const augmented = { ...PIPELINE, augment: { scale: [0.5, 1] as [number, number], ratio: [3 / 4, 4 / 3] as [number, number] }, augmentKey: 77 };
    const requests = ['img/2.png', 'img/corrupt.png', 'img/7.png'].map((p, i) => ({ path: join(folder, p), sample: { epoch: 1, index: i } }));
    const onWorker = workerImageLoader(augmented, WORKER);
    try {
      const [fromWorker, inThread] = [await onWorker.load(requests), await inThreadImageLoader(augmented).load(requests)];
      expect(fromWorker.map((r) => ('pixels' in r ? [...r.pixels] : 'error'))).toEqual(inThread.map((r) => ('pixels' in r ? [...r.pixels] : 'error')));
      expect('error' in fromWorker[1] && fromWorker[1].error).toContain('corrupt.png');
    } finally {
      await onWorker.dispose();
    }
  });
});
