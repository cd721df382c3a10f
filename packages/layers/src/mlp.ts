import type { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Activation, activation } from './activation.js';
import { Layer } from './layer.js';
import { Linear } from './linear.js';

export interface MLPOptions {
  activation: Activation;
  /** Std of a normal c_fc.weight. Default: nn.Linear's U(-1/sqrt(in), 1/sqrt(in)). */
  fcStd?: number;
  /** Std of a normal c_proj.weight. Default: nn.Linear's U(-1/sqrt(in), 1/sqrt(in)). */
  projStd?: number;
}

/** The transformer MLP of OpenAI CLIP: c_fc, activation, c_proj (biases keep nn.Linear's init). */
export class MLP extends Layer {
  readonly cFc: Linear;
  readonly cProj: Linear;
  private readonly act: <T extends tf.Tensor>(x: T) => T;

  constructor(width: number, hiddenWidth: number, rng: SeededRandom, options: MLPOptions) {
    super();
    const fcWeight = options.fcStd === undefined ? undefined : rng.normalArray(hiddenWidth * width, options.fcStd);
    this.cFc = this.addChild('c_fc', new Linear(width, hiddenWidth, rng, { weight: fcWeight }));
    const projWeight = options.projStd === undefined ? undefined : rng.normalArray(width * hiddenWidth, options.projStd);
    this.cProj = this.addChild('c_proj', new Linear(hiddenWidth, width, rng, { weight: projWeight }));
    this.act = activation(options.activation);
  }

  /** [B, T, width] -> [B, T, width] */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T, D] = x.shape;
      const hidden = this.act(this.cFc.apply(tf.reshape(x, [B * T, D]))); // [B*T, hiddenWidth]
      return tf.reshape(this.cProj.apply(hidden), [B, T, D]);
    });
  }
}
