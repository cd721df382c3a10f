import { ClipkitError, type ContrastiveLoss } from '@clipkit/core';
import type * as tf from '@tensorflow/tfjs-core';
import { checkChunkSize } from './loss-arguments.js';
import { type SigLipSigmoidLossOptions, sigLipSigmoidLoss } from './siglip-sigmoid-loss.js';

/**
 * SigLIP's sigmoid loss as a pipeline's loss (`loss.type: "siglip"`), optionally in row chunks. It holds
 * nothing: the scale exp(t') and the bias b are the model's (model.logitScale ln 10 and model.logitBias -10
 * initially, as the SigLIP paper and open_clip), passed in at every step as open_clip's SigLipLoss takes them.
 */
export class SigLipLoss implements ContrastiveLoss {
  readonly type = 'siglip';
  readonly needsBias = true;
  /** Rows of the logit matrix computed at a time; null computes it whole. */
  readonly chunkSize: number | null;

  constructor(options: SigLipSigmoidLossOptions = {}) {
    this.chunkSize = options.chunkSize ?? null;
    checkChunkSize('SigLipLoss', this.chunkSize);
  }

  /** L2-normalised features [B, D] of matching pairs, exp(t') and b -> the loss, a scalar, differentiable in all four. */
  compute(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D, logitScale: tf.Scalar, logitBias: tf.Scalar | null): tf.Scalar {
    if (logitBias === null) {
      throw new ClipkitError('SigLipLoss needs the logit bias of the model; set model.logitBias (SigLIP starts at -10, with model.logitScale ln 10).');
    }
    return sigLipSigmoidLoss(imageFeatures, textFeatures, logitScale, logitBias, { chunkSize: this.chunkSize });
  }
}
