import type { ContrastiveLoss } from '@clipkit/core';
import type * as tf from '@tensorflow/tfjs-core';
import { clipSoftmaxLoss } from './clip-softmax-loss.js';

/**
 * CLIP's softmax loss as a pipeline's loss (`loss.type: "clip"`). It holds nothing: the learnable scale
 * exp(t) is the model's (model.logitScale, clamped by train.maxLogitScale), passed in at every step, as
 * open_clip's ClipLoss takes `logit_scale` from the model's forward. CLIP has no bias.
 */
export class ClipLoss implements ContrastiveLoss {
  readonly type = 'clip';
  readonly needsBias = false;

  /** L2-normalised features [B, D] of matching pairs and the multiplier exp(t) -> the loss, a scalar; the bias is not used. */
  compute(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D, logitScale: tf.Scalar): tf.Scalar {
    return clipSoftmaxLoss(imageFeatures, textFeatures, logitScale);
  }
}
