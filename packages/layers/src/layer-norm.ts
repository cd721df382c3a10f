import * as tf from '@tensorflow/tfjs-core';
import { Layer } from './layer.js';
import { ops } from './ops.js';

/**
 * LayerNorm over the last axis, as torch.nn.LayerNorm (biased variance, eps inside the square root), on
 * the backend's ops (clipkit's blas backend runs it and its gradient as one kernel each).
 */
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
    return ops().layerNorm(x, this.weight, this.bias, this.eps);
  }
}
