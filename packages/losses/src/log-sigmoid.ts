import * as tf from '@tensorflow/tfjs-core';

/**
 * log sigmoid(z) = -softplus(-z), elementwise, with gradient sigmoid(-z). The cpu and wasm softplus
 * kernels are stable at any |z| (SigLIP logits reach ±110 at scale 100 and bias -10; e^110 overflows
 * float32). Not tf.logSigmoid: its gradient reads z from a closure instead of saving it, so it fails
 * once the tf.tidy that created z has ended, which is how every clipkit loss is called.
 */
export const logSigmoid = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [z, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([z]);
  return {
    value: tf.neg(tf.softplus(tf.neg(z))),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => tf.mul(dy, tf.sigmoid(tf.neg(saved[0])))),
  };
}) as <T extends tf.Tensor>(z: T) => T;
