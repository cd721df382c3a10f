import type { SeededRandom } from '@clipkit/core';
import { Layer } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { SiglipEncoderLayer, type SiglipEncoderOptions } from './siglip-encoder-layer.js';

/** transformers' SiglipEncoder: `layers.{i}`, applied in turn. */
export class SiglipEncoder extends Layer {
  readonly layers: readonly SiglipEncoderLayer[];

  constructor(options: SiglipEncoderOptions, rng: SeededRandom) {
    super();
    this.layers = Array.from({ length: options.layers }, (_, i) => this.addChild(`layers.${i}`, new SiglipEncoderLayer(options, rng)));
  }

  /** [B, T, width] -> [B, T, width] */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.layers.reduce((hidden, layer) => layer.apply(hidden), x));
  }
}
