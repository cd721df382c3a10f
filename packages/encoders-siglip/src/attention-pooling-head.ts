import type { SeededRandom } from '@clipkit/core';
import { type Activation, Layer, LayerNorm, MultiHeadAttention, ops } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { SiglipMlp } from './siglip-mlp.js';

/**
 * transformers' SiglipMultiheadAttentionPoolingHead (modeling_siglip.py): a learned `probe` [1, 1, width] is
 * the only query of an nn.MultiheadAttention (packed `in_proj_weight`, rows q, k, v) over the tokens; its
 * output a gives y = a + mlp(layernorm(a)), the image embedding. The residual is from a, not from the probe,
 * and there is no LayerNorm before the attention.
 *
 * Initialised as SiglipPreTrainedModel._init_weights: xavier_uniform_ probe and in_proj_weight, zero
 * in_proj_bias; out_proj keeps a zero bias and gets N(0, 1/width) (transformers: lecun_normal_, the same
 * variance truncated at two standard deviations).
 */
export class AttentionPoolingHead extends Layer {
  readonly probe: tf.Variable<tf.Rank.R3>;
  readonly attention: MultiHeadAttention;
  readonly layernorm: LayerNorm;
  readonly mlp: SiglipMlp;

  constructor(
    readonly width: number,
    readonly heads: number,
    mlpWidth: number,
    layerNormEps: number,
    kind: Activation,
    rng: SeededRandom,
  ) {
    super();
    // xavier_uniform_ of a [1, 1, width] tensor: fan_in = fan_out = width, so the bound is sqrt(6 / 2 width).
    const bound = Math.sqrt(3 / width);
    this.probe = this.addVariable('probe', tf.tensor3d(rng.uniformArray(width, -bound, bound), [1, 1, width]));
    this.attention = this.addChild('attention', new MultiHeadAttention(width, heads, rng, { outProjStd: width ** -0.5 }));
    this.layernorm = this.addChild('layernorm', new LayerNorm(width, layerNormEps));
    this.mlp = this.addChild('mlp', new SiglipMlp(width, mlpWidth, kind, rng));
  }

  /** The probe's attention over the tokens [B, T, width] -> a [B, width] (before the LayerNorm and MLP). */
  attend(x: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const [B, T, D] = x.shape;
      const H = this.heads;
      const hd = D / H;
      const { inProjWeight, inProjBias } = this.attention;
      // The probe's query [1, D], scaled as F.multi_head_attention_forward scales q; keys and values of every token [B*T, 2D].
      const q = ops().linear(tf.reshape(this.probe, [1, D]), tf.slice(inProjWeight, [0, 0], [D, D]), tf.slice(inProjBias, [0], [D]));
      const kv = ops().linear(tf.reshape(x, [B * T, D]), tf.slice(inProjWeight, [D, 0], [2 * D, D]), tf.slice(inProjBias, [D], [2 * D]));
      const k = tf.reshape(tf.slice(kv, [0, 0], [B * T, D]), [B * T, H, hd]);
      const scores = tf.sum(tf.mul(k, tf.reshape(tf.mul(q, hd ** -0.5), [H, hd])), 2); // q_h . k_h per token: [B*T, H]
      const weights = tf.softmax(tf.transpose(tf.reshape(scores, [B, T, H]), [0, 2, 1])); // over the tokens: [B, H, T]
      const v = tf.transpose(tf.reshape(tf.slice(kv, [0, D], [B * T, D]), [B, T, H, hd]), [0, 2, 1, 3]); // [B, H, T, hd]
      const context = tf.matMul(tf.reshape(weights, [B * H, 1, T]), tf.reshape(v, [B * H, T, hd])); // [B*H, 1, hd]
      return this.attention.outProj.apply(tf.reshape(context, [B, D])); // heads merged in order: [B, D]
    });
  }

  /** Tokens [B, T, width] -> the pooled embedding [B, width]. */
  apply(x: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const a = this.attend(x);
      return tf.add(a, this.mlp.apply(this.layernorm.apply(a)));
    });
  }
}
