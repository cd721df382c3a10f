import * as tf from '@tensorflow/tfjs-core';
import { Layer } from './layer.js';

/** LayerNorm over the last axis, as torch.nn.LayerNorm (biased variance, eps inside the square root). */
export class LayerNorm extends Layer {
  readonly weight: tf.Variable<tf.Rank.R1>;
  readonly bias: tf.Variable<tf.Rank.R1>;

  constructor(
    readonly width: number,
    /** Default 1e-5, as PyTorch and OpenAI CLIP. */
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.addVariable('weight', tf.ones([width]));
    this.bias = this.addVariable('bias', tf.zeros([width]));
  }

  /** [..., width] -> same shape */
  apply<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normalised, this.weight), this.bias) as T;
    });
  }
}
