import type * as tf from '@tensorflow/tfjs-core';
import { ops } from './ops.js';

/**
 * x @ W for a weight stored [in, out], as OpenAI stores its projections (`proj`, `text_projection`):
 * [N, in] @ [in, out] -> [N, out], on the backend's ops.
 */
export function project(x: tf.Tensor2D, weight: tf.Tensor2D): tf.Tensor2D {
  return ops().project(x, weight);
}
