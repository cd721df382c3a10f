import * as tf from '@tensorflow/tfjs-core';

/** Rows divided by their L2 norm, as torch.nn.functional.normalize (norms clamped to 1e-12, so zero rows stay zero). */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const norm = tf.norm(x, 'euclidean', 1, true); // [N, 1]
    return tf.div(x, tf.maximum(norm, 1e-12));
  });
}
