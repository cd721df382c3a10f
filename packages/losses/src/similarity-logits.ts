import * as tf from '@tensorflow/tfjs-core';
import { checkFeatures, toScalar } from './loss-arguments.js';
import { rowWiseSum } from './row-wise-sum.js';

/**
 * s I T^T + b with its gradient written out: products with explicit transposes (tfjs's own matMul
 * gradient uses transpose flags, which the wasm backend runs ~12x slower than a plain 2-D product, as
 * @clipkit/layers' Linear notes) and the scalars' gradients summed row-wise (see rowWiseSum).
 */
const scaledSimilarities = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [image, text, scale, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Scalar, tf.Scalar, tf.GradSaveFunc];
  const textT = tf.transpose(text); // [D, N]
  const similarities = tf.matMul(image, textT); // [B, D] @ [D, N] = [B, N]
  save([image, text, scale, similarities]);
  return {
    value: tf.add(tf.mul(scale, similarities), bias),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [savedImage, savedText, savedScale, savedSimilarities] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Scalar, tf.Tensor2D];
        const dLogits = dy as tf.Tensor2D; // [B, N]
        return [
          tf.mul(savedScale, tf.matMul(dLogits, savedText)), // [B, N] @ [N, D] = [B, D]
          tf.mul(savedScale, tf.matMul(tf.transpose(dLogits), savedImage)), // [N, B] @ [B, D] = [N, D]
          rowWiseSum(tf.mul(dLogits, savedSimilarities)),
          rowWiseSum(dLogits),
        ];
      }),
  };
}) as (image: tf.Tensor2D, text: tf.Tensor2D, scale: tf.Scalar, bias: tf.Scalar) => tf.Tensor2D;

/**
 * The logits CLIP and SigLIP compare pairs with: logitScale * I T^T (+ logitBias), where row i and
 * column j score image i against text j. Features are expected L2-normalised, so I T^T holds cosine
 * similarities; logitScale is the multiplier (already exp()'d), as open_clip's get_logits takes it.
 *
 * imageFeatures [B, D], textFeatures [N, D] -> [B, N]
 */
export function similarityLogits(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D, logitScale: tf.Tensor | number, logitBias: tf.Tensor | number = 0): tf.Tensor2D {
  checkFeatures('similarityLogits', imageFeatures, textFeatures, false);
  return tf.tidy(() =>
    scaledSimilarities(imageFeatures, textFeatures, toScalar('similarityLogits', 'logitScale', logitScale), toScalar('similarityLogits', 'logitBias', logitBias)),
  );
}
