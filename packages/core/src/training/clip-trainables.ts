import type * as tf from '@tensorflow/tfjs-core';
import type { TrainableImageEncoder, TrainableTextEncoder } from '../components/encoders.js';
import type { LogitParameters } from '../model/logit-parameters.js';
import { VISUAL_PREFIX } from '../weights/clip-state-dict.js';

/** What training updates: both tfjs towers and the model's logit scale (and bias). */
export interface ClipTrainables {
  readonly image: TrainableImageEncoder;
  readonly text: TrainableTextEncoder;
  readonly logits: LogitParameters;
}

/**
 * Every variable of the model under OpenAI CLIP's state-dict names: `visual.*` for the image tower, the
 * text tower's top-level names, `logit_scale` and `logit_bias`, buffers included.
 */
export function clipStateDict(parts: ClipTrainables): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const [name, v] of parts.image.stateDict()) out.set(VISUAL_PREFIX + name, v);
  for (const [name, v] of parts.text.stateDict()) out.set(name, v);
  for (const [name, v] of parts.logits.stateDict()) out.set(name, v);
  return out;
}

/** The trainable subset of clipStateDict (no BatchNorm running statistics). */
export function trainableParameters(parts: ClipTrainables): Map<string, tf.Variable> {
  return new Map([...clipStateDict(parts)].filter(([, v]) => v.trainable));
}
