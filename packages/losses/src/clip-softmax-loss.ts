import * as tf from '@tensorflow/tfjs-core';
import { checkFeatures } from './loss-arguments.js';
import { similarityLogits } from './similarity-logits.js';

/** CE(logits, arange(B)): row i's target class is column i, so the loss is minus the mean log-softmax diagonal. */
function diagonalCrossEntropy(logits: tf.Tensor2D): tf.Scalar {
  const logProbabilities = tf.logSoftmax(logits); // [B, B], max-subtracted, so stable at any scale
  return tf.neg(tf.mean(tf.sum(tf.mul(logProbabilities, tf.eye(logits.shape[0])), 1))) as tf.Scalar;
}

/**
 * CLIP's symmetric contrastive loss, as open_clip's ClipLoss (world size 1): the mean of the
 * image-to-text and text-to-image cross-entropies over the similarity matrix, the i-th text being the
 * class of the i-th image and vice versa. Features [B, D] are L2-normalised; logitScale is the
 * multiplier exp(t), not t. At batch 1 the loss is 0: a softmax over one logit is certain.
 */
export function clipSoftmaxLoss(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D, logitScale: tf.Tensor | number): tf.Scalar {
  checkFeatures('clipSoftmaxLoss', imageFeatures, textFeatures, true);
  return tf.tidy(() => {
    const logitsPerImage = similarityLogits(imageFeatures, textFeatures, logitScale); // [B, B]
    const logitsPerText = tf.transpose(logitsPerImage); // [B, B], open_clip's logit_scale * T I^T
    return tf.div(tf.add(diagonalCrossEntropy(logitsPerImage), diagonalCrossEntropy(logitsPerText)), 2);
  });
}
