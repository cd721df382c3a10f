import { ClipkitError } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';

// Argument checks shared by the losses: a wrong call fails at the call, naming the argument, not inside a kernel.

/** Checks that image and text features are [B, D] matrices of one width D (and, for a loss over matching pairs, one batch size B). */
export function checkFeatures(where: string, imageFeatures: tf.Tensor, textFeatures: tf.Tensor, pairs: boolean): void {
  for (const [name, features] of [
    ['imageFeatures', imageFeatures],
    ['textFeatures', textFeatures],
  ] as const) {
    if (features.rank !== 2)
      throw new ClipkitError(`${where}: ${name} must be a [batch, dim] matrix, got shape [${features.shape.join(', ')}]; flatten or stack the features first.`);
  }
  const [imageRows, imageDim] = imageFeatures.shape as [number, number];
  const [textRows, textDim] = textFeatures.shape as [number, number];
  if (imageDim !== textDim) {
    throw new ClipkitError(
      `${where}: imageFeatures [${imageRows}, ${imageDim}] and textFeatures [${textRows}, ${textDim}] have different embedding widths; both towers must project to model.embedDim.`,
    );
  }
  if (pairs && imageRows !== textRows) {
    throw new ClipkitError(`${where}: imageFeatures has ${imageRows} rows but textFeatures has ${textRows}; row i of each must be a matching image-text pair.`);
  }
  if (pairs && imageRows === 0) throw new ClipkitError(`${where}: the batch is empty; a contrastive loss needs at least one image-text pair.`);
}

/** A loss scalar given as a number or a one-element tensor ([] or [1], as checkpoints store it), as a rank-0 tensor. */
export function toScalar(where: string, name: string, value: tf.Tensor | number): tf.Scalar {
  if (typeof value === 'number') return tf.scalar(value);
  if (value.size !== 1) throw new ClipkitError(`${where}: ${name} must be a scalar, got a tensor of shape [${value.shape.join(', ')}].`);
  return tf.reshape(value, []);
}

/** Throws unless chunkSize is null or a positive integer. */
export function checkChunkSize(where: string, chunkSize: number | null): void {
  if (chunkSize !== null && !(Number.isSafeInteger(chunkSize) && chunkSize >= 1)) {
    throw new ClipkitError(`${where}: chunkSize must be a positive integer (rows per chunk) or null (no chunking), got ${chunkSize}.`);
  }
}
