import type { ClipLossConfig, ContrastiveLoss } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { clipSoftmaxLoss } from './clip-softmax-loss.js';
import { checkLogitScale } from './loss-arguments.js';
import { scalarVariable } from './scalar-variable.js';

/** ClipLossConfig without its `type`; every field is optional and defaults as documented there. */
export type ClipLossOptions = Partial<Omit<ClipLossConfig, 'type'>>;

/**
 * CLIP's loss with its learnable temperature, as open_clip's CLIP model holds it: t = ln(1 / 0.07)
 * initially, logits multiplied by exp(t), and t clamped to [0, ln 100] after every optimiser step
 * (open_clip's train loop), so the scale stays in [1, 100].
 */
export class ClipLoss implements ContrastiveLoss {
  readonly type = 'clip';
  /** t, the log of the logit scale: state-dict name `logit_scale`, shape [] as in OpenAI's checkpoints. */
  readonly logScale: tf.Variable<tf.Rank.R0>;
  readonly maxLogScale: number;

  constructor(options: ClipLossOptions = {}) {
    const initial = options.logitScale ?? Math.log(1 / 0.07);
    this.maxLogScale = options.maxLogitScale ?? Math.log(100);
    checkLogitScale('ClipLoss', initial, this.maxLogScale);
    this.logScale = scalarVariable(initial);
  }

  compute(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => clipSoftmaxLoss(imageFeatures, textFeatures, tf.exp(this.logScale)));
  }

  afterStep(): void {
    tf.tidy(() => this.logScale.assign(tf.clipByValue(this.logScale, 0, this.maxLogScale)));
  }

  logitScale(): number {
    return Math.exp(this.logScale.dataSync()[0]);
  }

  logitBias(): null {
    return null;
  }

  stateDict(): Map<string, tf.Variable> {
    return new Map<string, tf.Variable>([['logit_scale', this.logScale]]);
  }

  dispose(): void {
    this.logScale.dispose();
  }
}
