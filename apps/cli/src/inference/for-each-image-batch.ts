import { type ClipImageTransform, ImagePreprocessPool, type PixelValues } from '@clipkit/images';
import * as tf from '@tensorflow/tfjs-core';
import { progressBar } from './progress.js';

/** Batches decoded ahead of the one being embedded: enough to keep the workers busy while the model runs. */
const BATCHES_AHEAD = 2;

/**
 * Decodes and preprocesses image files `batchSize` at a time on worker threads (ImagePreprocessPool), keeping
 * the next batches in preparation while `use` embeds the current one, and hands each batch of pixel values
 * [B, 3, S, S] to `use` in file order, disposing it afterwards, so a folder of any size fits in memory.
 */
export async function forEachImageBatch(
  files: readonly string[],
  transform: ClipImageTransform,
  batchSize: number,
  use: (pixelValues: tf.Tensor4D, files: readonly string[]) => Promise<void>,
): Promise<void> {
  const progress = progressBar(files.length, batchSize, 'images');
  const pool = new ImagePreprocessPool(transform);
  const batches: (readonly string[])[] = [];
  for (let start = 0; start < files.length; start += batchSize) batches.push(files.slice(start, start + batchSize));
  const preparing: Promise<PixelValues>[] = [];
  const prepare = (i: number) => {
    if (i >= batches.length) return;
    const pixels = pool.pixelValues(batches[i]);
    pixels.catch(() => undefined); // a failure surfaces when its batch's turn comes
    preparing[i] = pixels;
  };
  try {
    for (let i = 0; i <= BATCHES_AHEAD; i++) prepare(i);
    for (const [i, batch] of batches.entries()) {
      const { data, shape } = await preparing[i];
      delete preparing[i];
      prepare(i + BATCHES_AHEAD + 1);
      const pixelValues = tf.tensor4d(data, shape);
      try {
        await use(pixelValues, batch);
      } finally {
        pixelValues.dispose();
      }
      progress.advance(batch.length);
    }
  } finally {
    progress.stop();
    await pool.dispose();
  }
}
