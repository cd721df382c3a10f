import { ClipkitError, type SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { Layer } from './layer.js';
import { Linear, linear } from './linear.js';
import { ops } from './ops.js';

/** Initial weights other than nn.MultiheadAttention's own (CLIP.initialize_parameters draws normals for the text tower). */
export interface MultiHeadAttentionInit {
  /** Std of a normal in_proj_weight. Default: xavier_uniform_, as nn.MultiheadAttention. */
  inProjStd?: number;
  /** Std of a normal out_proj.weight. Default: nn.Linear's U(-1/sqrt(width), 1/sqrt(width)). */
  outProjStd?: number;
}

/**
 * Self-attention as torch.nn.MultiheadAttention (batch_first=False in OpenAI's code, but the maths is
 * per sequence): q, k and v come from one packed projection `in_proj_weight` [3 x width, width] (rows
 * q, then k, then v) and `in_proj_bias`; heads attend with softmax(q k^T / sqrt(headWidth) + mask) v and
 * are merged by `out_proj`.
 *
 * Projections run as 2-D products on [B*T, width] (see linear); the heads run on the in-proj output as it
 * is, through the backend's attention op (clipkit's blas backend: one kernel each way, with no head split
 * or merge copies).
 */
export class MultiHeadAttention extends Layer {
  readonly headWidth: number;
  readonly inProjWeight: tf.Variable<tf.Rank.R2>;
  readonly inProjBias: tf.Variable<tf.Rank.R1>;
  readonly outProj: Linear;

  constructor(
    readonly width: number,
    readonly heads: number,
    rng: SeededRandom,
    init: MultiHeadAttentionInit = {},
  ) {
    super();
    if (!Number.isInteger(width / heads)) throw new ClipkitError(`MultiHeadAttention: width ${width} is not divisible by heads ${heads}; choose heads that divide the width`);
    this.headWidth = width / heads;
    // xavier_uniform_ of a [3w, w] matrix: fan_in w, fan_out 3w.
    const xavierBound = Math.sqrt(6 / (width + 3 * width));
    const inProj = init.inProjStd === undefined ? rng.uniformArray(3 * width * width, -xavierBound, xavierBound) : rng.normalArray(3 * width * width, init.inProjStd);
    this.inProjWeight = this.addVariable('in_proj_weight', tf.tensor2d(inProj, [3 * width, width]));
    this.inProjBias = this.addVariable('in_proj_bias', tf.zeros([3 * width]));
    // nn.MultiheadAttention zeroes out_proj.bias and keeps nn.Linear's default weight.
    const outProjWeight = init.outProjStd === undefined ? undefined : rng.normalArray(width * width, init.outProjStd);
    this.outProj = this.addChild('out_proj', new Linear(width, width, rng, { weight: outProjWeight, biasValues: new Float32Array(width) }));
  }

  /**
   * Self-attention over [B, T, width] -> [B, T, width]. `attnMask` [T, T] is added to the scores
   * (PyTorch's float attn_mask; see causalMask).
   */
  apply(x: tf.Tensor3D, attnMask?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T, D] = x.shape;
      const qkv = linear(tf.reshape(x, [B * T, D]), this.inProjWeight, this.inProjBias); // [B*T, 3D]
      const context = ops().attention(tf.reshape(qkv, [B, T, 3 * D]), this.heads, attnMask); // [B, T, D]
      return tf.reshape(this.outProj.apply(tf.reshape(context, [B * T, D])), [B, T, D]);
    });
  }
}
