import { type ClipImageTransform, decodeImage } from '@clipkit/images';
import * as tf from '@tensorflow/tfjs-core';
import { progressBar } from './progress.js';

/**
 * Decodes and preprocesses image files `batchSize` at a time and hands each batch of pixel values
 * [B, 3, S, S] to `use`, disposing it afterwards, so a folder of any size fits in memory.
 */
export async function forEachImageBatch(
  files: readonly string[],
  transform: ClipImageTransform,
  batchSize: number,
  use: (pixelValues: tf.Tensor4D, files: readonly string[]) => Promise<void>,
): Promise<void> {
  const progress = progressBar(files.length, batchSize, 'images');
  try {
    for (let start = 0; start < files.length; start += batchSize) {
      const batch = files.slice(start, start + batchSize);
      const { data, shape } = transform.toPixelValues(await Promise.all(batch.map((file) => decodeImage(file))));
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
  }
}
