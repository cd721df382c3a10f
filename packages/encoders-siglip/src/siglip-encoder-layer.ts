import type { SeededRandom } from '@clipkit/core';
import { type Activation, Layer, LayerNorm, SeparateQkvAttention } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { SiglipMlp } from './siglip-mlp.js';

/** The sizes of a SigLIP encoder (both towers have one). */
export interface SiglipEncoderOptions {
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  readonly mlpWidth: number;
  readonly layerNormEps: number;
  readonly activation: Activation;
}

/**
 * transformers' SiglipEncoderLayer, pre-LN: x = x + self_attn(layer_norm1(x)); x = x + mlp(layer_norm2(x)).
 * Attention has no mask in either tower (SigLIP's text tower is not causal).
 */
export class SiglipEncoderLayer extends Layer {
  readonly layerNorm1: LayerNorm;
  readonly selfAttn: SeparateQkvAttention;
  readonly layerNorm2: LayerNorm;
  readonly mlp: SiglipMlp;

  constructor(options: SiglipEncoderOptions, rng: SeededRandom) {
    super();
    const { width, layerNormEps } = options;
    this.layerNorm1 = this.addChild('layer_norm1', new LayerNorm(width, layerNormEps));
    this.selfAttn = this.addChild('self_attn', new SeparateQkvAttention(width, options.heads, rng));
    this.layerNorm2 = this.addChild('layer_norm2', new LayerNorm(width, layerNormEps));
    this.mlp = this.addChild('mlp', new SiglipMlp(width, options.mlpWidth, options.activation, rng));
  }

  /** [B, T, width] -> [B, T, width] */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T, D] = x.shape;
      const afterAttn: tf.Tensor3D = tf.add(x, this.selfAttn.apply(this.layerNorm1.apply(x)));
      const mlp = this.mlp.apply(tf.reshape(this.layerNorm2.apply(afterAttn), [B * T, D])); // [B*T, D]
      return tf.add(afterAttn, tf.reshape(mlp, [B, T, D]));
    });
  }
}
