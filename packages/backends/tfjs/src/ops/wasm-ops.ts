import type { TensorOps } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { convolveByForwardPasses } from './wasm-conv2d.js';
import { linearProduct, projectProduct } from './wasm-products.js';

/**
 * The wasm backend's own formulations. wasm runs a plain 2-D product through XNNPACK but any product with a
 * transpose flag in its naive kernel, ~12x slower, so products and their gradients take explicit
 * transposes (training 3.8x faster); it lacks Conv2DBackpropFilter, so convolutions differentiate by
 * forward convolutions. The other ops are @clipkit/layers' portable ones.
 */
export const wasmOps: Partial<TensorOps> = {
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
};
