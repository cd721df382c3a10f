import type { AdamWState, AdamWStep, TensorOps } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS } from '../kernels/clipkit-kernels.js';

/**
 * An elementwise activation as one kernel, with its gradient dy * f'(x) as another: one pass each way over
 * the MLP's widest tensor, where the composed formula's autodiff makes five to eight.
 */
function fusedActivation(forward: string, gradient: string): <T extends tf.Tensor>(x: T) => T {
  const activate = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: tf.engine().runKernel(forward, { x }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, [savedX]: tf.Tensor[]) => tf.engine().runKernel(gradient, { dy, x: savedX }) as tf.Tensor,
    };
  });
  return <T extends tf.Tensor>(x: T) => activate(x) as T;
}

/**
 * LayerNorm as one kernel that also returns each row's mean and 1 / sqrt(var + eps), and its gradient as
 * one more from those: tfjs's autodiff of moments, rsqrt and the broadcasts makes about twenty passes.
 */
function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): T {
  const normalise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, mean, rstd] = tf.engine().runKernel(FUSED_KERNELS.layerNorm, { x: input, gamma: g, beta: b }, { epsilon: eps }) as tf.Tensor[];
    save([input, g, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [savedX, savedGamma, savedMean, savedRstd]: tf.Tensor[]) =>
        tf.engine().runKernel(FUSED_KERNELS.layerNormGrad, { dy, x: savedX, gamma: savedGamma, mean: savedMean, rstd: savedRstd }) as tf.Tensor[],
    };
  });
  return normalise(x, gamma, beta) as T;
}

/**
 * The heads as one kernel on the in-proj output as it is, [B, T, 3, H, hd], writing the merged [B, T, D]
 * directly (no head split or merge copies, no separate softmax), and one kernel for the gradient.
 */
function attention(qkv: tf.Tensor3D, heads: number, mask?: tf.Tensor2D): tf.Tensor3D {
  const attrs = { heads };
  const attend = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor3D, tf.GradSaveFunc];
    const [context, probs] = tf.engine().runKernel(FUSED_KERNELS.attention, mask ? { qkv: input, mask } : { qkv: input }, attrs) as tf.Tensor[];
    save([input, probs]);
    return {
      value: context as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, [savedQkv, savedProbs]: tf.Tensor[]) =>
        tf.engine().runKernel(FUSED_KERNELS.attentionGrad, { dy, qkv: savedQkv, probs: savedProbs }, attrs) as tf.Tensor,
    };
  });
  return attend(qkv) as tf.Tensor3D;
}

/**
 * Training-mode BatchNorm as one kernel returning the batch's statistics and 1 / sqrt(var + eps), and its
 * gradient as one more from those: the composed formulation makes about fourteen passes each way.
 */
function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  let statistics: tf.Tensor1D[] = [];
  const normalise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, mean, variance, invStd] = tf.engine().runKernel(FUSED_KERNELS.batchNorm, { x: input, gamma: g, beta: b }, { epsilon: eps }) as tf.Tensor[];
    // Kept past the tidy the forward runs in; the caller's scope gets clones below.
    statistics = [tf.keep(mean), tf.keep(variance)] as tf.Tensor1D[];
    save([input, g, mean, invStd]);
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, [savedX, savedGamma, savedMean, savedInvStd]: tf.Tensor[]) =>
        tf.engine().runKernel(FUSED_KERNELS.batchNormGrad, { dy, x: savedX, gamma: savedGamma, mean: savedMean, invStd: savedInvStd }) as tf.Tensor[],
    };
  }) as (input: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor4D;
  const y = normalise(x, gamma, beta);
  const [mean, variance] = statistics.map((t) => tf.clone(t));
  tf.dispose(statistics);
  return { y, mean, variance };
}

/** ResNet's nn.AvgPool2d(size) as one kernel, and its gradient as one more: tfjs transposes, then reduces, and broadcasts back. */
function averagePool(x: tf.Tensor4D, size: number): tf.Tensor4D {
  const pool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input] = args as [tf.Tensor4D];
    return {
      value: tf.engine().runKernel(FUSED_KERNELS.averagePool, { x: input }, { size }) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor) => tf.engine().runKernel(FUSED_KERNELS.averagePoolGrad, { dy }, { size, inputShape: input.shape }) as tf.Tensor,
    };
  });
  return pool(x) as tf.Tensor4D;
}

/** One AdamW update as one kernel: one pass over the parameter, its moments and its gradient. */
function adamWUpdate(param: tf.Tensor, m: tf.Tensor, v: tf.Tensor, grad: tf.Tensor, step: AdamWStep): AdamWState {
  const [next, mNext, vNext] = tf.engine().runKernel(FUSED_KERNELS.adamW, { param, m, v, grad }, { ...step }) as tf.Tensor[];
  return { param: next, m: mNext, v: vNext };
}

/**
 * The blas backend's own formulations: products with the bias fused (cblas_sgemm takes transpose flags, so
 * the portable products need no change, and tf.conv2d's gradients already run as the addon's
 * Conv2DBackpropInput/Filter kernels), and the activations, LayerNorm, attention and training-mode
 * BatchNorm and average pooling as the addon's fused kernels (FUSED_KERNELS), forward and gradient; and
 * AdamW's update.
 */
export const blasOps: Partial<TensorOps> = {
  linear: (x, weight, bias) => tf.fused.matMul({ a: x, b: weight, transposeB: true, bias }) as tf.Tensor2D, // [N, out]
  quickGelu: fusedActivation(FUSED_KERNELS.quickGelu, FUSED_KERNELS.quickGeluGrad),
  gelu: fusedActivation(FUSED_KERNELS.gelu, FUSED_KERNELS.geluGrad),
  geluTanh: fusedActivation(FUSED_KERNELS.geluTanh, FUSED_KERNELS.geluTanhGrad),
  layerNorm,
  attention,
  batchNorm,
  averagePool,
  adamWUpdate,
};
