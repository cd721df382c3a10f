import type { SeededRandom } from '@clipkit/core';
import { type Activation, activation, Layer, Linear } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { xavierUniform } from './xavier-uniform.js';

/**
 * transformers' SiglipMLP: fc2(act(fc1(x))). Initialised as SiglipPreTrainedModel._init_weights:
 * xavier_uniform_ weights, biases N(0, 1e-6).
 */
export class SiglipMlp extends Layer {
  readonly fc1: Linear;
  readonly fc2: Linear;
  private readonly act: <T extends tf.Tensor>(x: T) => T;

  constructor(width: number, hiddenWidth: number, kind: Activation, rng: SeededRandom) {
    super();
    this.fc1 = this.addChild('fc1', new Linear(width, hiddenWidth, rng, { weight: xavierUniform(rng, hiddenWidth, width), biasValues: rng.normalArray(hiddenWidth, 1e-6) }));
    this.fc2 = this.addChild('fc2', new Linear(hiddenWidth, width, rng, { weight: xavierUniform(rng, width, hiddenWidth), biasValues: rng.normalArray(width, 1e-6) }));
    this.act = activation(kind);
  }

  /** [M, width] -> [M, width] */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.fc2.apply(this.act(this.fc1.apply(x))));
  }
}
