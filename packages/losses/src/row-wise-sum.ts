import * as tf from '@tensorflow/tfjs-core';

/**
 * The sum of a [rows, B] matrix: each row first, then the row sums. wasm's Sum accumulates sequentially
 * in float32, and over all B^2 pairs at once the ~1e-5 terms of the negative pairs vanish against an
 * accumulator in the thousands (measured at B = 1024: SigLIP's bias gradient 1.7e-3 off, against 1e-6
 * summed this way). tfjs's autograd reduces broadcast scalars in one Sum, which is why the losses write
 * the gradients of their scalars out.
 */
export function rowWiseSum(x: tf.Tensor2D): tf.Scalar {
  return tf.sum(tf.sum(x, 1));
}
