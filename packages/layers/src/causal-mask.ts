import * as tf from '@tensorflow/tfjs-core';

/**
 * The additive causal mask of OpenAI's text transformer (`CLIP.build_attention_mask`): -inf above the
 * diagonal, 0 on and below it, so token i attends to tokens 0..i only.
 */
export function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let i = 0; i < length; i++) values.fill(-Infinity, i * length + i + 1, (i + 1) * length);
  return tf.tensor2d(values, [length, length]);
}
