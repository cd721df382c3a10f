import { initTfjs } from '@clipkit/backend-tfjs';
import { ClipImageTransform, decodeImage } from '@clipkit/images';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachImageBatch } from './for-each-image-batch.js';

// The pipelined path (decoding on the worker pool, batches prepared ahead) against the serial one it
// replaced: decodeImage and transform.toPixelValues on this thread, batch by batch. Equal bit for bit.

const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/preprocess/`;
const IMAGES = ['photo_640x480.png', 'portrait_300x500.png', 'square_224x224_rgba.png', 'tiny_98x61.png', 'photo_1024x768.jpg', 'gray_200x150.jpg', 'gray_200x150.decoded.png'];
// 14 files in batches of 3: 5 batches, the last one short, more than the 2 prepared ahead.
const FILES = [...IMAGES, ...IMAGES.toReversed()].map((f) => FIXTURES + f);
const transform = new ClipImageTransform({ size: 40, cropSize: { height: 32, width: 24 } });

beforeAll(async () => {
  await initTfjs({ device: 'cpu', log: () => undefined });
});

async function serialBatch(files: readonly string[]): Promise<Float32Array> {
  return transform.toPixelValues(await Promise.all(files.map((file) => decodeImage(file)))).data;
}

describe('forEachImageBatch', () => {
  it('hands over the batches of the serial path, in file order, bit for bit, and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const seen: { files: readonly string[]; shape: number[]; data: Float32Array }[] = [];
    await forEachImageBatch(FILES, transform, 3, async (pixelValues, files) => {
      seen.push({ files, shape: pixelValues.shape, data: (await pixelValues.data()) as Float32Array });
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen.map((batch) => batch.files)).toEqual([0, 3, 6, 9, 12].map((start) => FILES.slice(start, start + 3)));
    for (const batch of seen) {
      expect(batch.shape).toEqual([batch.files.length, 3, 32, 24]);
      expect(batch.data).toEqual(await serialBatch(batch.files));
    }
  });

  it('leaves an undecodable file out of its batch, keeps the rest of that batch, and returns it among the skipped (issue 16)', async () => {
    const missing = `${FIXTURES}no-such-image.png`;
    const expected = await decodeImage(missing).catch((error: Error) => error.message);
    const seen: { files: readonly string[]; data: Float32Array }[] = [];
    const files = [...FILES.slice(0, 4), missing, ...FILES.slice(4, 8)];
    const before = tf.memory().numTensors;
    const skipped = await forEachImageBatch(files, transform, 3, async (pixelValues, batch) => {
      seen.push({ files: batch, data: (await pixelValues.data()) as Float32Array });
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(skipped).toEqual([{ path: missing, reason: expected }]);
    expect(seen.map((batch) => batch.files)).toEqual([FILES.slice(0, 3), [FILES[3], FILES[4]], FILES.slice(5, 8)]);
    for (const batch of seen) expect(batch.data).toEqual(await serialBatch(batch.files));
  });
});
