import type { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { Layer } from './layer.js';
import { ResidualAttentionBlock, type ResidualAttentionBlockOptions } from './residual-attention-block.js';

/** OpenAI CLIP's Transformer: `layers` residual attention blocks, stored as `resblocks.{i}`. */
export class Transformer extends Layer {
  readonly resblocks: readonly ResidualAttentionBlock[];

  constructor(
    readonly width: number,
    readonly layers: number,
    readonly heads: number,
    rng: SeededRandom,
    options: ResidualAttentionBlockOptions,
  ) {
    super();
    this.resblocks = Array.from({ length: layers }, (_, i) => this.addChild(`resblocks.${i}`, new ResidualAttentionBlock(width, heads, rng, options)));
  }

  /** [B, T, width] -> [B, T, width]; `attnMask` [T, T] is added to every block's attention scores. */
  apply(x: tf.Tensor3D, attnMask?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.resblocks.reduce((hidden, block) => block.apply(hidden, attnMask), x));
  }
}
