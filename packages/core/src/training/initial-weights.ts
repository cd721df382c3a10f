import type { TensorSource } from '../components/tensor-source.js';
import type { TrainConfig } from '../config/clip-config.js';
import { VISUAL_PREFIX } from '../weights/clip-state-dict.js';
import { loadStateDict } from '../weights/load-state-dict.js';
import type { ClipTrainables } from './clip-trainables.js';

/** The tower a state-dict name (OpenAI's) belongs to; undefined for the logit scale and bias. */
function towerOf(name: string): 'image' | 'text' | undefined {
  if (name === 'logit_scale' || name === 'logit_bias') return undefined;
  return name.startsWith(VISUAL_PREFIX) ? 'image' : 'text';
}

/**
 * Loads the towers from `train.init`'s weights, all but the `reinit` tower, which keeps its initialisation from
 * the seed. The logit scale and bias come from the config (model.logitScale, model.logitBias), which the
 * clipkit command fills from the model unless the config sets them. Every missing, unexpected or misshaped
 * tensor is reported at once; the source is closed afterwards.
 */
export async function loadInitialWeights(parts: ClipTrainables, train: Pick<TrainConfig, 'reinit'>, source: TensorSource): Promise<void> {
  const targets = new Map([...parts.image.stateDict()].map(([name, v]) => [VISUAL_PREFIX + name, v]));
  for (const [name, v] of parts.text.stateDict()) targets.set(name, v);
  for (const name of targets.keys()) if (towerOf(name) === train.reinit) targets.delete(name);
  try {
    await loadStateDict(targets, source, { ignore: (name) => towerOf(name) === undefined || towerOf(name) === train.reinit });
  } finally {
    await source.close();
  }
}
