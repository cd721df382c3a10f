import type { SeededRandom } from '@clipkit/core';
import { Layer, Linear } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/**
 * OpenAI CLIP's AttentionPool2d (clip/model.py): the mean of the feature map is prepended as a token,
 * learned positions are added, and multi-head attention with that mean token as the only query pools the
 * HW + 1 tokens into one vector, projected by c_proj to the embedding width. OpenAI returns output token 0
 * of full self-attention; the other queries never reach it, so they are not computed.
 */
export class AttentionPool2d extends Layer {
  readonly positionalEmbedding: tf.Variable<tf.Rank.R2>;
  readonly kProj: Linear;
  readonly qProj: Linear;
  readonly vProj: Linear;
  readonly cProj: Linear;

  constructor(
    /** Side of the feature map (imageSize / 32). */
    readonly spatialDim: number,
    /** Width of the feature map and of the attention. */
    readonly embedDim: number,
    readonly heads: number,
    readonly outputDim: number,
    rng: SeededRandom,
  ) {
    super();
    const tokens = spatialDim * spatialDim + 1;
    this.positionalEmbedding = this.addVariable('positional_embedding', tf.tensor2d(rng.normalArray(tokens * embedDim, embedDim ** -0.5), [tokens, embedDim]));
    // CLIP.initialize_parameters: N(0, c_proj.in_features^-0.5) for the four weights; biases keep nn.Linear's default.
    const std = embedDim ** -0.5;
    const projection = (out: number) => new Linear(embedDim, out, rng, { weight: rng.normalArray(out * embedDim, std) });
    this.kProj = this.addChild('k_proj', projection(embedDim));
    this.qProj = this.addChild('q_proj', projection(embedDim));
    this.vProj = this.addChild('v_proj', projection(embedDim));
    this.cProj = this.addChild('c_proj', projection(outputDim));
  }

  /** Feature map [N, h, w, embedDim] (NHWC) -> pooled features [N, outputDim] */
  apply(features: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const [N, h, w, C] = features.shape;
      const L = h * w + 1;
      const H = this.heads;
      const d = C / H;
      const pixels = tf.reshape(features, [N, h * w, C]); // [N, hw, C], row-major as OpenAI's flatten
      const tokens = tf.add(tf.concat([tf.mean(pixels, 1, true), pixels], 1), this.positionalEmbedding); // [N, L, C]
      const flat = tf.reshape<tf.Rank.R2>(tokens, [N * L, C]);
      const meanToken = tf.reshape<tf.Rank.R2>(tf.slice(tokens, [0, 0, 0], [N, 1, C]), [N, C]);
      const q = tf.reshape(tf.mul(this.qProj.apply(meanToken), 1 / Math.sqrt(d)), [N, 1, H, d]); // [N, 1, H, d]
      const k = tf.reshape(this.kProj.apply(flat), [N, L, H, d]);
      const v = tf.reshape(this.vProj.apply(flat), [N, L, H, d]);
      const scores = tf.transpose(tf.sum(tf.mul(q, k), 3), [0, 2, 1]); // [N, H, L]
      const weights = tf.reshape(tf.transpose(tf.softmax(scores), [0, 2, 1]), [N, L, H, 1]); // [N, L, H, 1]
      const pooled = tf.reshape<tf.Rank.R2>(tf.sum(tf.mul(weights, v), 1), [N, C]); // [N, H, d] -> [N, C]
      return this.cProj.apply(pooled); // [N, outputDim]
    });
  }
}
