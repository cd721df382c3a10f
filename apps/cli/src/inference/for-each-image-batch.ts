import { ClipkitError } from '@clipkit/core';
import { type ClipImageTransform, decodeImage, type RgbImage, type SkippedImage } from '@clipkit/images';
import * as tf from '@tensorflow/tfjs-core';
import { progressBar } from './progress.js';

/**
 * Decodes and preprocesses image files `batchSize` at a time and hands each batch of pixel values
 * [B, 3, S, S] and the files it holds to `use`, disposing it afterwards, so a folder of any size fits in
 * memory. An image that cannot be decoded is left out of its batch and returned among the skipped (issue 16:
 * one bad file aborted the whole command); a batch with no readable image is not handed over.
 */
export async function forEachImageBatch(
  files: readonly string[],
  transform: ClipImageTransform,
  batchSize: number,
  use: (pixelValues: tf.Tensor4D, files: readonly string[]) => Promise<void>,
): Promise<SkippedImage[]> {
  const skipped: SkippedImage[] = [];
  const progress = progressBar(files.length, batchSize, 'images');
  try {
    for (let start = 0; start < files.length; start += batchSize) {
      const batch = files.slice(start, start + batchSize);
      const decoded = await Promise.allSettled(batch.map((file) => decodeImage(file)));
      const images: RgbImage[] = [];
      const read: string[] = [];
      decoded.forEach((result, i) => {
        if (result.status === 'fulfilled') {
          images.push(result.value);
          read.push(batch[i]);
        } else if (result.reason instanceof ClipkitError) skipped.push({ path: batch[i], reason: result.reason.message });
        else throw result.reason;
      });
      if (images.length > 0) {
        const { data, shape } = transform.toPixelValues(images);
        const pixelValues = tf.tensor4d(data, shape);
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
  }
  return skipped;
}
