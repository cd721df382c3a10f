import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';

/**
 * A contrastive loss over a batch of matching pairs. It owns no parameters: the learnable logit scale
 * (and SigLIP's bias) belong to the model and its checkpoint (see LogitParameters) and are passed in.
 */
export interface ContrastiveLoss {
  /** The config `loss.type` it implements. */
  readonly type: string;
  /** Whether the loss needs the model's logit bias (SigLIP's sigmoid loss does; CLIP's softmax has none). */
  readonly needsBias: boolean;
  /**
   * L2-normalised features [B, D] of matching pairs (row i with row i), the multiplier exp(t) and the
   * bias (null for models without one) -> the loss, a scalar, differentiable in all four.
   */
  compute(imageFeatures: Tensor2D, textFeatures: Tensor2D, logitScale: Scalar, logitBias: Scalar | null): Scalar;
}
