import type { TensorOps } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm } from './portable-batch-norm.js';

/** PyTorch's symmetric zero padding of an NHWC image as tfjs's explicit padding. */
function symmetricPadding(p: number): [[0, 0], [number, number], [number, number], [0, 0]] {
  return [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
}

/**
 * softmax(q k^T / sqrt(hd) + mask) v of every head of torch.nn.MultiheadAttention's packed in-proj output
 * qkv [B, T, 3D], merged to [B, T, D], in tfjs ops. The per-head products are batched matMuls over
 * [H*B, T, hd] with a transpose flag for k^T: no backend needs the transpose materialised (wasm runs every
 * batched matMul in one naive kernel whatever the flags: measured 40 ms with the flag, 45 ms with an
 * explicit transpose at [192, 50, 64]).
 */
function attend(qkv: tf.Tensor3D, heads: number, mask?: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T, threeD] = qkv.shape;
    const D = threeD / 3;
    const hd = D / heads;
    // Heads lead, batch second: [3H, B, T, hd] splits into q, k and v by contiguous slices. Rank 4 at
    // most: wasm runs rank-5 transposes through a generic per-element loop (measured 11x slower here).
    const split = tf.transpose(tf.reshape(qkv, [B, T, 3 * heads, hd]), [2, 0, 1, 3]); // [3H, B, T, hd]
    const [q, k, v] = tf.unstack(tf.reshape(split, [3, heads * B, T, hd])) as tf.Tensor3D[]; // each [H*B, T, hd]
    // PyTorch scales q before the product (F.multi_head_attention_forward).
    let scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(hd)), k, false, true); // [H*B, T, T]
    if (mask) scores = tf.add(scores, mask);
    const context = tf.matMul(tf.softmax(scores), v); // [H*B, T, hd]
    return tf.reshape(tf.transpose(tf.reshape(context, [heads, B, T, hd]), [1, 2, 0, 3]), [B, T, D]); // [B, T, H, hd] merged
  });
}

/** OpenAI CLIP's QuickGELU, x * sigmoid(1.702 x) (clip/model.py). */
function quickGelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));
}

/**
 * Exact GELU, x/2 (1 + erf(x / sqrt 2)), as torch.nn.GELU() (PyTorch multiplies by 1/sqrt 2). tf.erf is
 * within 1.7e-7 of the true value on every backend, so GELU is off by < 3e-7 x max(1, |x|), far inside the
 * fixtures' 1e-4 (activation.test.ts measures it).
 */
function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

/** torch.nn.GELU(approximate='tanh'), transformers' gelu_pytorch_tanh: x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
function geluTanh<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const inner = tf.mul(tf.mul(x, tf.add(1, tf.mul(tf.square(x), 0.044715))), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  });
}

/** LayerNorm over the last axis as torch.nn.LayerNorm: biased variance, eps inside the square root. */
function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): T {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normalised, gamma), beta);
  });
}

/**
 * The layers' maths as composed tfjs ops, differentiated by tfjs's own gradients: what a backend runs
 * unless it registers faster formulations (registerTensorOps; @clipkit/backend-tfjs does for wasm and
 * blas). Products take transposed operands as matMul flags: on tfjs's cpu, tensorflow and webgl
 * backends a flag is free (the kernels read with strides) while a transpose is a copy.
 */
export const portableOps: TensorOps = {
  // The bias is added after the product: tf.fused.matMul would add it in the product's pass, but
  // tfjs-backend-wasm 4.22 adds bias[out - 1] to every row after the first when transposeB is set.
  linear: (x, weight, bias) =>
    tf.tidy(() => {
      const y: tf.Tensor2D = tf.matMul(x, weight, false, true); // [N, out]
      return bias ? tf.add<tf.Tensor2D>(y, bias) : y;
    }),
  project: (x, weight) => tf.matMul(x, weight), // [N, in] @ [in, out] = [N, out]
  // tfjs's filter layout is [k, k, in, out]; the gradients are its Conv2DBackpropInput/Filter kernels.
  conv2d: (x, weight, stride, padding) => tf.tidy(() => tf.conv2d(x, tf.transpose(weight, [2, 3, 1, 0]), stride, symmetricPadding(padding))),
  quickGelu,
  gelu,
  geluTanh,
  layerNorm,
  attention: attend,
  batchNorm,
};
