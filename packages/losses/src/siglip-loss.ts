import { ClipkitError, type ContrastiveLoss, type SigLipLossConfig } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkChunkSize, checkLogitScale } from './loss-arguments.js';
import { scalarVariable } from './scalar-variable.js';
import { sigLipSigmoidLoss } from './siglip-sigmoid-loss.js';

/** SigLipLossConfig without its `type`; every field is optional and defaults as documented there. */
export type SigLipLossOptions = Partial<Omit<SigLipLossConfig, 'type'>>;

/**
 * SigLIP's loss with its learnable scale and bias, initialised as the SigLIP paper and open_clip do
 * (t' = ln 10, b = -10, so that the ~B^2 negative pairs do not dominate the first steps); logits are
 * exp(t') I T^T + b, and t' is clamped to [0, ln 100] after every step as open_clip's train loop does.
 */
export class SigLipLoss implements ContrastiveLoss {
  readonly type = 'siglip';
  /** t', the log of the logit scale: state-dict name `logit_scale`, shape []. */
  readonly logScale: tf.Variable<tf.Rank.R0>;
  /** b: state-dict name `logit_bias`, shape []. */
  readonly bias: tf.Variable<tf.Rank.R0>;
  readonly maxLogScale: number;
  readonly chunkSize: number | null;

  constructor(options: SigLipLossOptions = {}) {
    const initial = options.logitScale ?? Math.log(10);
    const bias = options.logitBias ?? -10;
    this.maxLogScale = options.maxLogitScale ?? Math.log(100);
    this.chunkSize = options.chunkSize ?? null;
    checkLogitScale('SigLipLoss', initial, this.maxLogScale);
    if (!Number.isFinite(bias)) throw new ClipkitError(`SigLipLoss: logitBias must be a finite number, got ${bias}.`);
    checkChunkSize('SigLipLoss', this.chunkSize);
    this.logScale = scalarVariable(initial);
    this.bias = scalarVariable(bias);
  }

  compute(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => sigLipSigmoidLoss(imageFeatures, textFeatures, tf.exp(this.logScale), this.bias, { chunkSize: this.chunkSize }));
  }

  afterStep(): void {
    tf.tidy(() => this.logScale.assign(tf.clipByValue(this.logScale, 0, this.maxLogScale)));
  }

  logitScale(): number {
    return Math.exp(this.logScale.dataSync()[0]);
  }

  logitBias(): number {
    return this.bias.dataSync()[0];
  }

  stateDict(): Map<string, tf.Variable> {
    return new Map<string, tf.Variable>([
      ['logit_scale', this.logScale],
      ['logit_bias', this.bias],
    ]);
  }

  dispose(): void {
    this.logScale.dispose();
    this.bias.dispose();
  }
}
