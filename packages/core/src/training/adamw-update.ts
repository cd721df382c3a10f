import * as tf from '@tensorflow/tfjs-core';
import { type AdamWState, type AdamWStep, registeredTensorOps } from '../components/tensor-ops.js';

/**
 * One AdamW update as composed tfjs ops, in the order of torch.optim.AdamW's single-tensor step: decay,
 * then the moments, then the bias-corrected update. What runs where a backend registers no fused update.
 */
function portableAdamWUpdate(param: tf.Tensor, m: tf.Tensor, v: tf.Tensor, grad: tf.Tensor, step: AdamWStep): AdamWState {
  return tf.tidy(() => {
    const { beta1, beta2, eps, decay, stepSize, sqrtCorrection2 } = step;
    const mNext = tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1));
    const vNext = tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2));
    const decayed = decay === 1 ? param : tf.mul(param, decay);
    const update = tf.div(mNext, tf.add(tf.div(tf.sqrt(vNext), sqrtCorrection2), eps));
    return { param: tf.sub(decayed, tf.mul(update, stepSize)), m: mNext, v: vNext };
  });
}

/** The current tfjs backend's AdamW update: its fused one where it registered one (TensorOps.adamWUpdate), else the portable one. */
export function adamWUpdate(): (param: tf.Tensor, m: tf.Tensor, v: tf.Tensor, grad: tf.Tensor, step: AdamWStep) => AdamWState {
  return registeredTensorOps(tf.getBackend())?.adamWUpdate ?? portableAdamWUpdate;
}
