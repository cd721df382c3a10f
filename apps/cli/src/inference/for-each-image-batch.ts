import { ClipkitError } from '@clipkit/core';
import { type ClipImageTransform, ImagePreprocessPool, type PixelValues, type SkippedImage } from '@clipkit/images';
import * as tf from '@tensorflow/tfjs-core';
import { progressBar } from './progress.js';

/** Batches decoded ahead of the one being embedded: enough to keep the workers busy while the model runs. */
const BATCHES_AHEAD = 2;

/** A batch's pixel values with the files they hold, and the files of it that could not be read. */
interface PreparedBatch {
  pixels: PixelValues | null;
  read: readonly string[];
  skipped: SkippedImage[];
}

/**
 * A batch through the pool; when one of its files cannot be decoded (a ClipkitError, e.g. a corrupt image), the
 * batch is retried file by file so the others are kept and the bad ones reported (issue 16: one bad file aborted
 * the whole command). Any other error is a bug and propagates.
 */
async function prepareBatch(pool: ImagePreprocessPool, batch: readonly string[]): Promise<PreparedBatch> {
  try {
    return { pixels: await pool.pixelValues(batch), read: batch, skipped: [] };
  } catch (error) {
    if (!(error instanceof ClipkitError)) throw error;
  }
  const singles = await Promise.allSettled(batch.map((file) => pool.pixelValues([file])));
  const read: string[] = [];
  const parts: Float32Array[] = [];
  const skipped: SkippedImage[] = [];
  let shape: PixelValues['shape'] | null = null;
  for (const [i, single] of singles.entries()) {
    if (single.status === 'fulfilled') {
      read.push(batch[i]);
      parts.push(single.value.data);
      shape = single.value.shape;
    } else if (single.reason instanceof ClipkitError) skipped.push({ path: batch[i], reason: single.reason.message });
    else throw single.reason;
  }
  if (shape === null) return { pixels: null, read, skipped };
  const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return { pixels: { data, shape: [read.length, shape[1], shape[2], shape[3]] }, read, skipped };
}

/**
 * Decodes and preprocesses image files `batchSize` at a time on worker threads (ImagePreprocessPool), keeping
 * the next batches in preparation while `use` embeds the current one, and hands each batch of pixel values
 * [B, 3, S, S] and the files it holds to `use` in file order, disposing it afterwards, so a folder of any size
 * fits in memory. An image that cannot be decoded is left out of its batch and returned among the skipped; a
 * batch with no readable image is not handed over.
 */
export async function forEachImageBatch(
  files: readonly string[],
  transform: ClipImageTransform,
  batchSize: number,
  use: (pixelValues: tf.Tensor4D, files: readonly string[]) => Promise<void>,
): Promise<SkippedImage[]> {
  const skipped: SkippedImage[] = [];
  const progress = progressBar(files.length, batchSize, 'images');
  const pool = new ImagePreprocessPool(transform);
  const batches: (readonly string[])[] = [];
  for (let start = 0; start < files.length; start += batchSize) batches.push(files.slice(start, start + batchSize));
  const preparing: Promise<PreparedBatch>[] = [];
  const prepare = (i: number) => {
    if (i >= batches.length) return;
    const prepared = prepareBatch(pool, batches[i]);
    prepared.catch(() => undefined); // a failure surfaces when its batch's turn comes
    preparing[i] = prepared;
  };
  try {
    for (let i = 0; i <= BATCHES_AHEAD; i++) prepare(i);
    for (const [i, batch] of batches.entries()) {
      const { pixels, read, skipped: bad } = await preparing[i];
      delete preparing[i];
      prepare(i + BATCHES_AHEAD + 1);
      skipped.push(...bad);
      if (pixels !== null) {
        const pixelValues = tf.tensor4d(pixels.data, pixels.shape);
        try {
          await use(pixelValues, read);
        } finally {
          pixelValues.dispose();
        }
      }
      progress.advance(batch.length);
    }
  } finally {
    progress.stop();
    await pool.dispose();
  }
  return skipped;
}
