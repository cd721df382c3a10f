import { ClipkitError, type SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { Layer } from './layer.js';
import { Linear } from './linear.js';
import { ops } from './ops.js';

/** xavier_uniform_ of a square [width, width] matrix: U(-sqrt(6 / 2 width), +sqrt(6 / 2 width)). */
function xavierSquare(width: number, rng: SeededRandom): Float32Array {
  const bound = Math.sqrt(3 / width);
  return rng.uniformArray(width * width, -bound, bound);
}

/**
 * Self-attention as transformers writes it (CLIPAttention, SiglipAttention): separate Linear layers
 * `q_proj`, `k_proj`, `v_proj` and `out_proj` [width, width], heads attending with
 * softmax(q k^T / sqrt(headWidth) + mask) v. The same maths as MultiHeadAttention with in_proj_weight
 * = [q_proj; k_proj; v_proj], and computed that way: the three weights are joined (a [3 x width, width]
 * copy, cheap beside the product over B x T tokens) for one projection, and the backend's attention op
 * takes its output as it takes nn.MultiheadAttention's. The state dict keeps transformers' names.
 *
 * Initialised as SiglipPreTrainedModel._init_weights: xavier_uniform_ weights, zero biases.
 */
export class SeparateQkvAttention extends Layer {
  readonly headWidth: number;
  readonly qProj: Linear;
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly outProj: Linear;

  constructor(
    readonly width: number,
    readonly heads: number,
    rng: SeededRandom,
  ) {
    super();
    if (!Number.isInteger(width / heads)) throw new ClipkitError(`SeparateQkvAttention: width ${width} is not divisible by heads ${heads}; choose heads that divide the width`);
    this.headWidth = width / heads;
    const projection = () => new Linear(width, width, rng, { weight: xavierSquare(width, rng), biasValues: new Float32Array(width) });
    this.qProj = this.addChild('q_proj', projection());
    this.kProj = this.addChild('k_proj', projection());
    this.vProj = this.addChild('v_proj', projection());
    this.outProj = this.addChild('out_proj', projection());
  }

  /** Self-attention over [B, T, width] -> [B, T, width]; `attnMask` [T, T] is added to the scores. */
  apply(x: tf.Tensor3D, attnMask?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T, D] = x.shape;
      const weight = tf.concat([this.qProj.weight, this.kProj.weight, this.vProj.weight]); // [3D, D]
      const bias = tf.concat([this.qProj.bias!, this.kProj.bias!, this.vProj.bias!]); // [3D]
      const qkv = ops().linear(tf.reshape(x, [B * T, D]), weight, bias); // [B*T, 3D]
      const context = ops().attention(tf.reshape(qkv, [B, T, 3 * D]), this.heads, attnMask); // [B, T, D]
      return tf.reshape(this.outProj.apply(tf.reshape(context, [B * T, D])), [B, T, D]);
    });
  }
}
