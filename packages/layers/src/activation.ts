import { type Activation, FUSED_KERNELS } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { hasFusedKernel } from './fused-kernels.js';

/**
 * An elementwise activation as one backend kernel, with its gradient dy * f'(x) as another: one pass
 * each way over the MLP's widest tensor, where the composed formula's autodiff makes five to eight.
 */
function fusedActivation(forward: string, gradient: string): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: tf.engine().runKernel(forward, { x }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, [savedX]: tf.Tensor[]) => tf.engine().runKernel(gradient, { dy, x: savedX }) as tf.Tensor,
    };
  });
}

const fusedQuickGelu = fusedActivation(FUSED_KERNELS.quickGelu, FUSED_KERNELS.quickGeluGrad);
const fusedGelu = fusedActivation(FUSED_KERNELS.gelu, FUSED_KERNELS.geluGrad);

/** OpenAI CLIP's QuickGELU, x * sigmoid(1.702 x) (clip/model.py). Fused on backends that have the kernel (see FUSED_KERNELS). */
export function quickGelu<T extends tf.Tensor>(x: T): T {
  if (hasFusedKernel(FUSED_KERNELS.quickGelu)) return fusedQuickGelu(x) as T;
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));
}

/**
 * Exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)), as torch.nn.GELU() (PyTorch multiplies by 1/sqrt 2).
 * tf.erf is accurate enough in float32: wasm's erf is within 5e-8 of the true value and the cpu and
 * blas backends' Abramowitz-Stegun formula within 1.7e-7, so GELU is off by < 3e-7 x max(1, |x|), far
 * inside the fixtures' 1e-4 (activation.test.ts measures it). Fused on backends that have the kernel.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  if (hasFusedKernel(FUSED_KERNELS.gelu)) return fusedGelu(x) as T;
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
