import type { TensorOps } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { convolveByForwardPasses } from './wasm-conv2d.js';
import { linearProduct, projectProduct } from './wasm-products.js';

function quickGelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));
}

// wasm's erf is within 5e-8 of the true value.
function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

function geluTanh<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const inner = tf.mul(tf.mul(x, tf.add(1, tf.mul(tf.square(x), 0.044715))), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  });
}

function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): T {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  });
}

/**
 * The heads of qkv [B, T, 3D] in wasm's fast shapes: rank-4 transposes at most (wasm runs rank-5 ones
 * through a generic per-element loop, measured 11x slower), and q k^T with the transpose flag, since wasm
 * runs every batched matMul in one naive kernel whatever the flags (40 ms with the flag, 45 ms with an
 * explicit transpose at [192, 50, 64]).
 */
function attention(qkv: tf.Tensor3D, heads: number, mask?: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T, threeD] = qkv.shape;
    const [D, hd] = [threeD / 3, threeD / 3 / heads];
    const split = tf.transpose(tf.reshape(qkv, [B, T, 3 * heads, hd]), [2, 0, 1, 3]); // [3H, B, T, hd]
    const [q, k, v] = tf.unstack(tf.reshape(split, [3, heads * B, T, hd])) as tf.Tensor3D[]; // each [H*B, T, hd]
    let scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(hd)), k, false, true); // [H*B, T, T]
    if (mask) scores = tf.add(scores, mask);
    const context = tf.matMul(tf.softmax(scores), v); // [H*B, T, hd]
    return tf.reshape(tf.transpose(tf.reshape(context, [heads, B, T, hd]), [1, 2, 0, 3]), [B, T, D]);
  });
}

/**
 * The wasm backend's formulations. wasm runs a plain 2-D product through XNNPACK but any product with a
 * transpose flag in its naive kernel, ~12x slower, so products and their gradients take explicit
 * transposes (training 3.8x faster); it lacks Conv2DBackpropFilter, so convolutions differentiate by
 * forward convolutions. The rest is @clipkit/layers' portable formulation, repeated here because a backend
 * registers all of its ops (this package cannot depend on @clipkit/layers).
 */
export const wasmOps: TensorOps = {
  linear: (x, weight, bias) =>
    tf.tidy(() => {
      const y = linearProduct(x, weight); // [N, out]
      return bias ? tf.add(y, bias) : y;
    }),
  project: projectProduct,
  conv2d: (x, weight, stride, padding) =>
    padding < weight.shape[2]
      ? convolveByForwardPasses(x, weight, stride, padding)
      : // The gradient by forward convolutions needs padding below the kernel size; beyond it, tfjs's own.
        tf.tidy(() =>
          tf.conv2d(x, tf.transpose(weight, [2, 3, 1, 0]), stride, [
            [0, 0],
            [padding, padding],
            [padding, padding],
            [0, 0],
          ]),
        ),
  quickGelu,
  gelu,
  geluTanh,
  layerNorm,
  attention,
};
