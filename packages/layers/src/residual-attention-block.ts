import type { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from './activation.js';
import { Layer } from './layer.js';
import { LayerNorm } from './layer-norm.js';
import { MLP } from './mlp.js';
import { MultiHeadAttention } from './multi-head-attention.js';

/**
 * Normal initial weights as CLIP.initialize_parameters draws them for the text transformer; every
 * field left out keeps the PyTorch module's own initialisation (what OpenAI's VisionTransformer uses).
 */
export interface TransformerInit {
  /** Std of attn.in_proj_weight. */
  attnStd?: number;
  /** Std of attn.out_proj.weight and mlp.c_proj.weight. */
  projStd?: number;
  /** Std of mlp.c_fc.weight. */
  fcStd?: number;
}

export interface ResidualAttentionBlockOptions {
  /** Hidden width of the MLP (OpenAI: 4 x width). */
  mlpWidth: number;
  activation: Activation;
  layerNormEps: number;
  init?: TransformerInit;
}

/** OpenAI CLIP's pre-LN block: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)). */
export class ResidualAttentionBlock extends Layer {
  readonly attn: MultiHeadAttention;
  readonly ln1: LayerNorm;
  readonly mlp: MLP;
  readonly ln2: LayerNorm;

  constructor(width: number, heads: number, rng: SeededRandom, options: ResidualAttentionBlockOptions) {
    super();
    const init = options.init ?? {};
    this.attn = this.addChild('attn', new MultiHeadAttention(width, heads, rng, { inProjStd: init.attnStd, outProjStd: init.projStd }));
    this.ln1 = this.addChild('ln_1', new LayerNorm(width, options.layerNormEps));
    this.mlp = this.addChild('mlp', new MLP(width, options.mlpWidth, rng, { activation: options.activation, fcStd: init.fcStd, projStd: init.projStd }));
    this.ln2 = this.addChild('ln_2', new LayerNorm(width, options.layerNormEps));
  }

  /** [B, T, width] -> [B, T, width]; `attnMask` [T, T] is added to the attention scores. */
  apply(x: tf.Tensor3D, attnMask?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const afterAttn: tf.Tensor3D = tf.add(x, this.attn.apply(this.ln1.apply(x), attnMask));
      return tf.add(afterAttn, this.mlp.apply(this.ln2.apply(afterAttn)));
    });
  }
}
