import * as tf from '@tensorflow/tfjs-core';
import { savedOrVariable } from './linear.js';
import { prefersTransposeFlags } from './prefers-transpose-flags.js';

/**
 * x @ W for a weight stored [in, out], for wasm. Hand-written gradient for the same reason as `linear`:
 * tfjs's own gradient of a 2-D matMul uses transpose flags, which send wasm to its naive kernel (~12x
 * slower than the XNNPACK path that only plain 2-D products take); explicit transposes keep all three
 * products on the fast path. A Variable weight is not copied for the backward pass (see savedOrVariable).
 */
const projectProduct = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save(w instanceof tf.Variable ? [x] : [x, w]);
  return {
    value: tf.matMul(x, w), // [N, in] @ [in, out] = [N, out]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedX, savedW] = savedOrVariable(saved, w);
      const wT = tf.transpose(savedW); // [out, in]
      const xT = tf.transpose(savedX); // [in, N]
      const dx = tf.matMul(dy as tf.Tensor2D, wT); // [N, out] @ [out, in] = [N, in]
      const dw = tf.matMul(xT, dy as tf.Tensor2D); // [in, N] @ [N, out] = [in, out]
      tf.dispose([wT, xT]);
      return [dx, dw];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * x @ W for a weight stored [in, out], as OpenAI stores its projections (`proj`, `text_projection`):
 * [N, in] @ [in, out] -> [N, out]. tfjs's own matMul (whose gradient takes transpose flags) on backends
 * that prefer flags, the product above on wasm (see prefersTransposeFlags).
 */
export function project(x: tf.Tensor2D, weight: tf.Tensor2D): tf.Tensor2D {
  return prefersTransposeFlags() ? tf.matMul(x, weight) : projectProduct(x, weight);
}
