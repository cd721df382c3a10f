import type { Variable } from '@tensorflow/tfjs-core';
import type { TrainableImageEncoder, TrainableTextEncoder } from '../components/encoders.js';
import { ClipkitError } from '../errors.js';
import type { ClipModel } from '../model/clip-model.js';
import type { HostTensor } from '../safetensors/dtypes.js';

/** OpenAI CLIP nests the image tower under `visual.`; the text tower's names are top-level. */
export const VISUAL_PREFIX = 'visual.';

/** A model whose towers are tfjs modules: the one that has weights to save. */
export type TrainableClipModel = ClipModel<TrainableImageEncoder, TrainableTextEncoder>;

/**
 * A CLIP model's whole state as OpenAI/open_clip name them (the names of OpenAI `CLIP.state_dict()`):
 * `visual.*`, the text tower's names, `logit_scale` (the log t, shape [] as PyTorch's parameter) and
 * `logit_bias` when the model has one. Values are copied to the host as float32.
 */
export function clipStateTensors(model: TrainableClipModel): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  const add = (name: string, variable: Variable) => {
    out.set(name, { dtype: 'F32', shape: [...variable.shape], data: Float32Array.from(variable.dataSync() as Float32Array) });
  };
  for (const [name, variable] of model.imageEncoder.stateDict()) add(VISUAL_PREFIX + name, variable);
  for (const [name, variable] of model.textEncoder.stateDict()) {
    if (out.has(name)) throw new ClipkitError(`the text tower's weight "${name}" collides with an image tower name`);
    add(name, variable);
  }
  out.set('logit_scale', { dtype: 'F32', shape: [], data: Float32Array.of(Math.log(model.logitScale)) });
  if (model.logitBias !== null) out.set('logit_bias', { dtype: 'F32', shape: [], data: Float32Array.of(model.logitBias) });
  return out;
}
