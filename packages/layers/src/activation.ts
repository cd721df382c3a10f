import type { Activation } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';

/** OpenAI CLIP's QuickGELU, x * sigmoid(1.702 x) (clip/model.py). */
export function quickGelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));
}

/**
 * Exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)), as torch.nn.GELU() (PyTorch multiplies by 1/sqrt 2).
 * tf.erf is accurate enough in float32: wasm's erf is within 5e-8 of the true value and the cpu
 * backend's Abramowitz-Stegun formula within 1.7e-7, so GELU is off by < 3e-7 x max(1, |x|), far
 * inside the fixtures' 1e-4 (activation.test.ts measures it).
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

/** The activation function a config names. */
export function activation(kind: Activation): <T extends tf.Tensor>(x: T) => T {
  switch (kind) {
    case 'quick_gelu':
      return quickGelu;
    case 'gelu':
      return gelu;
  }
}
