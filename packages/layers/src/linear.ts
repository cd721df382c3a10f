import type { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { Layer } from './layer.js';
import { prefersTransposeFlags } from './prefers-transpose-flags.js';

/**
 * The saved [x, w] of a product whose weight `w` was saved only when it is not a Variable. tfjs saves
 * a tensor for the backward pass by cloning it, and wasm's clone copies the data: saving variables
 * would copy every weight of the model on each training forward (350 MB for ViT-B/32). A Variable
 * outlives the backward pass of the step that uses it, so it can be read directly.
 */
export function savedOrVariable(saved: tf.Tensor[], w: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  return [saved[0] as tf.Tensor2D, w instanceof tf.Variable ? w : (saved[1] as tf.Tensor2D)];
}

/**
 * x W^T with x of shape [N, in] and W stored as PyTorch does, [out, in], for wasm (see
 * prefersTransposeFlags): the gradient is written by hand with explicit transposes, since tfjs's own
 * gradient of `x @ W^T` calls matMul with transpose flags, which on the wasm backend runs ~12x slower than
 * a plain 2-D product (measured: training 3.8x faster with this version). Inputs must be 2-D: the
 * gradient of a broadcast 3-D x 2-D matMul throws on every tfjs backend, so callers flatten [B, T, D] to
 * [B*T, D] first.
 *
 * A weight that is a Variable is not saved for the backward pass but used as is (see savedOrVariable).
 */
const linearProduct = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save(w instanceof tf.Variable ? [x] : [x, w]);
  const wT = tf.transpose(w); // [in, out]
  const value = tf.matMul(x, wT); // [N, out]
  wT.dispose();
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedX, savedW] = savedOrVariable(saved, w);
      const dyT = tf.transpose(dy as tf.Tensor2D); // [out, N]
      const dx = tf.matMul(dy as tf.Tensor2D, savedW); // [N, out] @ [out, in] = [N, in]
      const dw = tf.matMul(dyT, savedX); // [out, N] @ [N, in] = [out, in]
      dyT.dispose();
      return [dx, dw];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

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
 * (projections stored as parameters, not layers). On backends that prefer transpose flags (all but wasm,
 * see prefersTransposeFlags) one tf.fused.matMul with the flag and the bias, whose tfjs gradient uses
 * flags too; on wasm the product with explicit transposes above, and the bias added after.
 */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  if (prefersTransposeFlags()) return tf.fused.matMul({ a: x, b: weight, transposeB: true, bias }) as tf.Tensor2D;
  return tf.tidy(() => {
    const y = linearProduct(x, weight); // [N, out]
    return bias ? tf.add(y, bias) : y;
  });
}
