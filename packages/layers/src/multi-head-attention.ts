import { ClipkitError, FUSED_KERNELS, type SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { hasFusedKernel } from './fused-kernels.js';
import { Layer } from './layer.js';
import { Linear, linear } from './linear.js';

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
 * Projections run as 2-D products on [B*T, width] (the fast wasm path, see linear). The per-head
 * products are batched matMuls over [H*B, T, headWidth]: wasm runs every batched matMul in the same
 * naive kernel whatever the transpose flags (measured: q k^T with the flag 40 ms, with an explicit
 * transpose 45 ms, at [192, 50, 64]), so the flags are used and no transpose is materialised.
 *
 * On a backend with the fused attention kernel (FUSED_KERNELS) the heads run as one kernel on the
 * in-proj output as it is, [B, T, 3, H, hd], writing the merged [B, T, D] directly: no head split or
 * merge copies, no separate softmax, and one kernel for the gradient.
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
      const fused = hasFusedKernel(FUSED_KERNELS.attention);
      const context = fused ? this.attendFused(tf.reshape(qkv, [B, T, 3 * D]), attnMask) : this.attend(qkv, [B, T, D], attnMask); // [B, T, D]
      return tf.reshape(this.outProj.apply(tf.reshape(context, [B * T, D])), [B, T, D]);
    });
  }

  /** softmax(q k^T / sqrt(hd) + mask) v of every head from qkv [B*T, 3D], merged to [B, T, D], in tfjs ops. */
  private attend(qkv: tf.Tensor2D, [B, T, D]: number[], attnMask?: tf.Tensor2D): tf.Tensor3D {
    const [H, hd] = [this.heads, this.headWidth];
    // Heads lead, batch second: [3H, B, T, hd] splits into q, k and v by contiguous slices. Rank 4 at
    // most: wasm runs rank-5 transposes through a generic per-element loop (measured 11x slower here).
    const split = tf.transpose(tf.reshape(qkv, [B, T, 3 * H, hd]), [2, 0, 1, 3]); // [3H, B, T, hd]
    const [q, k, v] = tf.unstack(tf.reshape(split, [3, H * B, T, hd])) as tf.Tensor3D[]; // each [H*B, T, hd]
    // PyTorch scales q before the product (F.multi_head_attention_forward).
    let scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(hd)), k, false, true); // [H*B, T, T]
    if (attnMask) scores = tf.add(scores, attnMask);
    const context = tf.matMul(tf.softmax(scores), v); // [H*B, T, hd]
    return tf.reshape(tf.transpose(tf.reshape(context, [H, B, T, hd]), [1, 2, 0, 3]), [B, T, D]); // [B, T, H, hd] merged
  }

  /** The same as attend() in the fused kernel, on qkv [B, T, 3D]; its gradient is the kernel's too. */
  private attendFused(qkv: tf.Tensor3D, attnMask?: tf.Tensor2D): tf.Tensor3D {
    const attrs = { heads: this.heads };
    const attention = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [input, save] = args as [tf.Tensor3D, tf.GradSaveFunc];
      const [context, probs] = tf.engine().runKernel(FUSED_KERNELS.attention, attnMask ? { qkv: input, mask: attnMask } : { qkv: input }, attrs) as tf.Tensor[];
      save([input, probs]);
      return {
        value: context as tf.Tensor3D,
        gradFunc: (dy: tf.Tensor, [savedQkv, savedProbs]: tf.Tensor[]) =>
          tf.engine().runKernel(FUSED_KERNELS.attentionGrad, { dy, qkv: savedQkv, probs: savedProbs }, attrs) as tf.Tensor,
      };
    });
    return attention(qkv) as tf.Tensor3D;
  }
}
