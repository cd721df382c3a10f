import * as tf from '@tensorflow/tfjs-core';
import type { ContrastiveLoss } from '../components/contrastive-loss.js';
import type { Module } from '../components/module.js';
import { l2Normalize } from '../model/l2-normalize.js';
import { type ClipTrainables, trainableParameters } from './clip-trainables.js';

export interface ContrastiveStep {
  /** The batch's loss (before the update). */
  loss: number;
  /** Gradients by state-dict name; the caller disposes them. */
  grads: Map<string, tf.Tensor>;
}

/** Normalised features [N, E] of a batch, in training mode. */
type Features = [tf.Tensor2D, tf.Tensor2D];

const trainableOf = (module: Module) => [...module.stateDict().values()].filter((v) => v.trainable);

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
 * Locked parameters (not trainable: see lockTowers) are not differentiated, and tfjs backpropagates only
 * through the operations between the trainable ones and the loss, so a locked prefix of a tower costs its
 * forward pass only. A tower with nothing trainable runs before the gradient tape, in training mode (BatchNorm
 * as open_clip's locked towers: batch statistics unless frozen), so none of its activations are kept for a
 * backward pass.
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
  const imageVariables = trainableOf(parts.image);
  const textVariables = trainableOf(parts.text);
  const towerVariables = [...imageVariables, ...textVariables];
  const lossVariables = trainableOf(parts.logits);
  const compute = (image: tf.Tensor2D, text: tf.Tensor2D) => contrastiveLoss.compute(image, text, parts.logits.scale(), parts.logits.bias);
  const fixedImage = imageVariables.length === 0 ? tf.tidy(() => l2Normalize(parts.image.forward(pixels, true))) : null; // [N, E]
  const fixedText = textVariables.length === 0 ? tf.tidy(() => l2Normalize(parts.text.forward(ids, true))) : null; // [N, E]
  /** Features of a slice: the trainable towers' computed live, the fixed ones' sliced from the precomputed. */
  const features = (p: tf.Tensor4D, t: tf.Tensor2D, first: number): Features => [
    fixedImage ? tf.slice(fixedImage, first, p.shape[0]) : l2Normalize(parts.image.forward(p, true)),
    fixedText ? tf.slice(fixedText, first, t.shape[0]) : l2Normalize(parts.text.forward(t, true)),
  ];
  const grads = new Map<string, tf.Tensor>();
  try {
    if (microBatches === 1) {
      const { value, grads: g } = tf.variableGrads(() => compute(...features(pixels, ids, 0)), [...towerVariables, ...lossVariables]);
      byStateName(parts, g, grads);
      const loss = value.dataSync()[0];
      value.dispose();
      return { loss, grads };
    }
    const step = { features, compute, towerVariables, lossVariables, add: (g: tf.NamedTensorMap) => byStateName(parts, g, grads) };
    return { loss: accumulatedGradients(pixels, ids, microBatches, step), grads };
  } finally {
    tf.dispose([fixedImage, fixedText].filter((t) => t !== null));
  }
}

/** What one step differentiates: features of a slice (rows from `first`), the loss, and where the gradients go. */
interface StepParts {
  features(p: tf.Tensor4D, t: tf.Tensor2D, first: number): Features;
  compute(image: tf.Tensor2D, text: tf.Tensor2D): tf.Scalar;
  towerVariables: tf.Variable[];
  lossVariables: tf.Variable[];
  add(grads: tf.NamedTensorMap): void;
}

/** The micro-batch path of contrastiveGradients: returns the loss and hands each slice's gradients to `add`. */
function accumulatedGradients(pixels: tf.Tensor4D, ids: tf.Tensor2D, microBatches: number, step: StepParts): number {
  const { features, compute, towerVariables, lossVariables, add } = step;
  const pixelSlices = tf.split(pixels, microBatches, 0) as tf.Tensor4D[];
  const idSlices = tf.split(ids, microBatches, 0) as tf.Tensor2D[];
  const firsts = pixelSlices.map((_, j) => j * pixelSlices[0].shape[0]);
  const cached = pixelSlices.map((p, j) => tf.tidy(() => features(p, idSlices[j], firsts[j])));
  let loss = NaN;
  try {
    for (let j = 0; j < microBatches; j++) {
      const variables = j === 0 ? [...towerVariables, ...lossVariables] : towerVariables;
      if (variables.length === 0) break;
      const { value, grads } = tf.variableGrads(() => {
        const [image, text] = features(pixelSlices[j], idSlices[j], firsts[j]);
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
      add(grads);
      if (j === 0) loss = value.dataSync()[0];
      value.dispose();
    }
  } finally {
    tf.dispose([...pixelSlices, ...idSlices, ...cached.flat()]);
  }
  return loss;
}
