import { type HfStorageOf, hfNamesOf, loadStateDict, type TensorSource, type WeightTarget } from '@clipkit/core';
import { type Tower, towerPrefix } from '../tower.js';
import type { TowerWeights } from './weight-initializers.js';

/** Each tower's weights by its state-dict name, with their shapes (towerWeightShapes). */
export type ModelWeightShapes = Readonly<Record<Tower, ReadonlyMap<string, readonly number[]>>>;

/** The names under which a model's tensors are stored: their own (OpenAI's), or the Hugging Face layout's. */
function storedNames(name: string, storage: HfStorageOf | undefined): readonly string[] {
  const stored = storage?.(name);
  return stored ? hfNamesOf(stored) : [name];
}

/**
 * Reads one tower's weights from a checkpoint into float32 arrays by the tower's state-dict names, one
 * tensor at a time, so only that tower is in memory. With `storage` (a Hugging Face file, core's
 * hfStorageOf) tensors are renamed, q/k/v merged and projections transposed, as loadClip does. Every
 * missing, misshaped or unexpected tensor is reported at once (core's loadStateDict); the other tower's
 * tensors and the logit scale and bias are left for their own readers.
 */
export async function readTowerWeights(file: TensorSource, tower: Tower, shapes: ModelWeightShapes, storage?: HfStorageOf): Promise<TowerWeights> {
  const weights = new Map<string, Float32Array>();
  const targets = new Map<string, WeightTarget>();
  const prefix = towerPrefix(tower);
  for (const [name, shape] of shapes[tower]) targets.set(prefix + name, { shape, set: (values) => weights.set(name, values) });
  const other: Tower = tower === 'image' ? 'text' : 'image';
  const elsewhere = new Set(['logit_scale', 'logit_bias']);
  for (const name of shapes[other].keys()) for (const stored of storedNames(towerPrefix(other) + name, storage)) elsewhere.add(stored);
  await loadStateDict(targets, file, { storage, ignore: (name) => elsewhere.has(name) });
  return weights;
}
