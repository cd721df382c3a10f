import type { HfStorage } from '../components/tower-formats.js';
import type { ModelConfig } from '../config/clip-config.js';
import { hfTowerFormats } from '../config/to-hf-model-config.js';
import type { AnyClipPlugin } from '../di/plugin.js';
import { ClipkitError } from '../errors.js';
import { VISUAL_PREFIX } from './clip-state-dict.js';

/** Where a model's state-dict names (OpenAI's: `visual.*`, the text tower's, `logit_scale`) live in a transformers checkpoint. */
export type HfStorageOf = (name: string) => HfStorage | undefined;

/** The storage of every tensor of `model` in its Hugging Face layout, as its tower plug-ins declare it. */
export function hfStorageOf(model: ModelConfig, plugins: readonly AnyClipPlugin[]): HfStorageOf {
  const { vision, text } = hfTowerFormats(model, plugins);
  return (name) => {
    if (name === 'logit_scale' || (name === 'logit_bias' && vision.hasLogitBias)) return { kind: 'rename', name };
    if (name === 'logit_bias') return undefined;
    return name.startsWith(VISUAL_PREFIX) ? vision.storage(name.slice(VISUAL_PREFIX.length)) : text.storage(name);
  };
}

/** Like a storage lookup, but a tensor the layout cannot hold is an error saying which layouts can. */
export function requireHfStorage(storageOf: HfStorageOf, name: string): HfStorage {
  const storage = storageOf(name);
  if (storage) return storage;
  const why = name === 'logit_bias' ? "transformers' model of this type has no logit_bias (this model was trained with a SigLIP loss)" : "transformers' model has no such tensor";
  throw new ClipkitError(`cannot save "${name}" in the Hugging Face layout: ${why}. Save in the "open_clip" or "clipkit" layout instead.`);
}

/** Buffers transformers saved in older checkpoints that hold no weights (the integers 0..L-1). */
export function isHfPositionIds(hfName: string): boolean {
  return hfName.endsWith('embeddings.position_ids');
}
