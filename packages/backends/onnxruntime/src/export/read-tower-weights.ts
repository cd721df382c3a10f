import { loadStateDict, type ModelConfig, type SafetensorsFile, type WeightNames, type WeightTarget } from '@clipkit/core';
import { type Tower, towerWeightShapes, VISUAL } from './tower-weights.js';

/** Stored names of the image tower in either naming scheme (OpenAI `visual.*`, transformers `vision_model.*`). */
function isImageName(name: string): boolean {
  return name.startsWith(VISUAL) || name.startsWith('vision_model.') || name.startsWith('visual_projection.');
}

function isModelScalar(name: string): boolean {
  return name === 'logit_scale' || name === 'logit_bias';
}

/**
 * Reads one tower's weights from a checkpoint into float32 arrays by OpenAI name, one tensor at a time.
 * Hugging Face files are renamed, q/k/v merged and projections transposed (as loadClip does); every missing,
 * misshaped or unexpected tensor of the tower is reported at once (core's loadStateDict).
 */
export async function readTowerWeights(file: SafetensorsFile, model: ModelConfig, tower: Tower, names: WeightNames = 'openai'): Promise<Map<string, Float32Array>> {
  const weights = new Map<string, Float32Array>();
  const targets = new Map<string, WeightTarget>();
  for (const [name, shape] of towerWeightShapes(model, tower)) targets.set(name, { shape, set: (values) => weights.set(name, values) });
  const otherTower = (name: string) => isModelScalar(name) || isImageName(name) !== (tower === 'image');
  await loadStateDict(targets, file, { names, ignore: otherTower });
  return weights;
}
