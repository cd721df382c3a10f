import type { CalibrationBatch } from '@clipkit/backend-onnxruntime';
import { ClipkitError } from '@clipkit/core';
import { forEachImageBatch } from './for-each-image-batch.js';
import { listImageFiles } from './image-files.js';
import { imagePreprocessor } from './image-preprocessor.js';
import { openModel } from './open-model.js';
import { reportSkippedImages } from './report-skipped-images.js';

/**
 * Calibration runs the float tower with every activation of its convolution trunk as an output: batches are
 * kept small so those outputs fit in memory (about 1 GB for RN50 at 8 images).
 */
const CALIBRATION_BATCH = 8;

/** Images calibrated on when --calibration-count is not given (the command's help says so): enough for stable ranges, a minute or so on CPU. */
export const CALIBRATION_COUNT = 200;

/**
 * Up to `count` images of `folder` (its images sorted by path, then evenly spaced through that list, so a folder of
 * class subfolders gives every class a share and the choice is the same on every run), preprocessed with the
 * model's own transform exactly as `clipkit embed --images` does: batches of pixel values [B, 3, S, S].
 */
export async function calibrationImages(model: string, folder: string, count: number): Promise<{ batches: CalibrationBatch[]; images: number }> {
  if (!Number.isInteger(count) || count < 1) throw new ClipkitError(`--calibration-count ${count}: give a whole number of images, 1 or more`);
  const { files: all, skipped: listedSkipped } = listImageFiles([folder]);
  const files = all.length <= count ? all : Array.from({ length: count }, (_, i) => all[Math.floor((i * all.length) / count)]);
  const loaded = await openModel(model, { log: () => undefined });
  try {
    const transform = await imagePreprocessor(loaded);
    const batches: CalibrationBatch[] = [];
    let images = 0;
    const unreadable = await forEachImageBatch(files, transform, CALIBRATION_BATCH, async (pixelValues, read) => {
      batches.push({ data: (await pixelValues.data()) as Float32Array, dims: pixelValues.shape });
      images += read.length;
    });
    reportSkippedImages([...listedSkipped, ...unreadable], images);
    return { batches, images };
  } finally {
    await loaded.dispose();
  }
}
