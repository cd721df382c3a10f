import * as tf from '@tensorflow/tfjs-core';

/** A trainable rank-0 variable holding `value` (shape [], as open_clip's logit_scale and logit_bias). */
export function scalarVariable(value: number): tf.Variable<tf.Rank.R0> {
  const initial = tf.scalar(value);
  const variable = tf.variable(initial); // shares the data; the initial tensor is one more reference to drop
  initial.dispose();
  return variable;
}
