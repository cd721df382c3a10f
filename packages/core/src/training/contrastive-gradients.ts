import * as tf from '@tensorflow/tfjs-core';
import type { ContrastiveLoss } from '../components/contrastive-loss.js';
import { l2Normalize } from '../model/l2-normalize.js';
import { type ClipTrainables, trainableParameters } from './clip-trainables.js';

export interface ContrastiveStep {
  /** The batch's loss (before the update). */
  loss: number;
  /** Gradients by state-dict name; the caller disposes them. */
  grads: Map<string, tf.Tensor>;
}

/** Normalised features of one micro-batch, in training mode. */
function features(parts: ClipTrainables, pixels: tf.Tensor4D, ids: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  return [l2Normalize(parts.image.forward(pixels, true)), l2Normalize(parts.text.forward(ids, true))];
}

function byStateName(parts: ClipTrainables, grads: tf.NamedTensorMap, into: Map<string, tf.Tensor>): void {
  for (const [name, variable] of trainableParameters(parts)) {
    const g = grads[variable.name];
    if (!g) continue;
    const sum = into.get(name);
    if (sum) {
      into.set(name, tf.add(sum, g));
      tf.dispose([sum, g]);
    } else {
      into.set(name, g);
    }
  }
}

/**
 * The loss of a batch of matching pairs and its gradients with respect to every trainable parameter.
 *
 * With `microBatches` > 1 the batch is processed in slices to save memory, and the result is still the
 * gradient of the loss over the whole batch (a contrastive loss couples every pair of the batch), as
 * open_clip's `accum_freq`: the features of all slices are first computed without gradients; then for
 * each slice the loss over the whole batch is differentiated with that slice's features recomputed live
 * and the others held fixed, and the slices' gradients are summed. Unlike open_clip, the model's logit
 * scale and bias take their gradient from one slice only, not once per slice.
 * (BatchNorm running statistics are updated by both passes, as in open_clip.)
 */
export function contrastiveGradients(parts: ClipTrainables, contrastiveLoss: ContrastiveLoss, pixels: tf.Tensor4D, ids: tf.Tensor2D, microBatches = 1): ContrastiveStep {
  const towerVariables = [...parts.image.stateDict().values(), ...parts.text.stateDict().values()].filter((v) => v.trainable);
  const lossVariables = [...parts.logits.stateDict().values()].filter((v) => v.trainable);
  const compute = (image: tf.Tensor2D, text: tf.Tensor2D) => contrastiveLoss.compute(image, text, parts.logits.scale(), parts.logits.bias);
  const grads = new Map<string, tf.Tensor>();

  if (microBatches === 1) {
    const { value, grads: g } = tf.variableGrads(() => compute(...features(parts, pixels, ids)), [...towerVariables, ...lossVariables]);
    byStateName(parts, g, grads);
    const loss = value.dataSync()[0];
    value.dispose();
    return { loss, grads };
  }

  const pixelSlices = tf.split(pixels, microBatches, 0) as tf.Tensor4D[];
  const idSlices = tf.split(ids, microBatches, 0) as tf.Tensor2D[];
  const cached = pixelSlices.map((p, j) => tf.tidy(() => features(parts, p, idSlices[j])));
  let loss = NaN;
  try {
    for (let j = 0; j < microBatches; j++) {
      const variables = j === 0 ? [...towerVariables, ...lossVariables] : towerVariables;
      const { value, grads: g } = tf.variableGrads(() => {
        const [image, text] = features(parts, pixelSlices[j], idSlices[j]);
        const allImages = tf.concat(
          cached.map(([cachedImage], k) => (k === j ? image : cachedImage)),
          0,
        );
        const allTexts = tf.concat(
          cached.map(([, cachedText], k) => (k === j ? text : cachedText)),
          0,
        );
        return compute(allImages, allTexts);
      }, variables);
      byStateName(parts, g, grads);
      if (j === 0) loss = value.dataSync()[0];
      value.dispose();
    }
  } finally {
    tf.dispose([...pixelSlices, ...idSlices, ...cached.flat()]);
  }
  return { loss, grads };
}
