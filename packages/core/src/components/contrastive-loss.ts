import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import type { Module } from './module.js';

/**
 * A contrastive loss with its learnable scalars (CLIP: logit_scale; SigLIP: logit_scale and logit_bias),
 * which it owns and exposes through stateDict() under their open_clip names.
 */
export interface ContrastiveLoss extends Module {
  /** The config `loss.type` it implements. */
  readonly type: string;
  /** L2-normalised features [B, D] of matching pairs (row i with row i) -> the loss, a scalar. */
  compute(imageFeatures: Tensor2D, textFeatures: Tensor2D): Scalar;
  /** Keeps the learnable scalars in range after an optimiser step (the log scale is clamped to [0, ln 100]). */
  afterStep(): void;
  /** The current multiplier exp(t), for logs. */
  logitScale(): number;
  /** The current bias, or null for losses without one. */
  logitBias(): number | null;
}
