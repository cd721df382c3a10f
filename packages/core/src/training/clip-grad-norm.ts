import * as tf from '@tensorflow/tfjs-core';

/**
 * Scales gradients so their global L2 norm is at most `maxNorm`, as torch.nn.utils.clip_grad_norm_
 * (coefficient maxNorm / (norm + 1e-6), capped at 1). Returns the norm before clipping; the clipped
 * gradients replace the originals in `grads`, which are disposed.
 */
export function clipGradNorm(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  const norm = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) {
    for (const [name, g] of grads) {
      grads.set(name, tf.mul(g, coefficient));
      g.dispose();
    }
  }
  return norm;
}
