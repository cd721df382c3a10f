import type { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { Layer } from './layer.js';
import { ops } from './ops.js';

export interface LinearOptions {
  /** Whether the layer adds a bias. Default true. */
  bias?: boolean;
  /** Initial weight [out, in]; default PyTorch's U(-1/sqrt(in), 1/sqrt(in)). */
  weight?: Float32Array;
  /** Initial bias [out]; default PyTorch's U(-1/sqrt(in), 1/sqrt(in)). */
  biasValues?: Float32Array;
}

export class Linear extends Layer {
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: SeededRandom,
    options: LinearOptions = {},
    /** State-dict names of the weight and the bias (OpenAI's attention pool calls them differently). */
    names: { weight: string; bias: string } = { weight: 'weight', bias: 'bias' },
  ) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    const weight = options.weight ?? rng.uniformArray(outFeatures * inFeatures, -bound, bound);
    this.weight = this.addVariable(names.weight, tf.tensor2d(weight, [outFeatures, inFeatures]));
    this.bias = options.bias === false ? null : this.addVariable(names.bias, tf.tensor1d(options.biasValues ?? rng.uniformArray(outFeatures, -bound, bound)));
  }

  /** [N, in] -> [N, out] */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return linear(x, this.weight, this.bias ?? undefined);
  }
}

/**
 * x W^T (+ b) for x [N, in] and a weight stored [out, in], as nn.Linear; also for bare weights
 * (projections stored as parameters, not layers). Inputs are 2-D: the gradient of a broadcast 3-D x 2-D
 * matMul throws on every tfjs backend, so callers flatten [B, T, D] to [B*T, D] first.
 */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  return ops().linear(x, weight, bias);
}
