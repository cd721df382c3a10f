import type { Variable } from '@tensorflow/tfjs-core';
import type { TrainableImageEncoder, TrainableTextEncoder } from '../components/encoders.js';
import type { TowerLocks } from '../config/clip-config.js';
import { ConfigError } from '../errors.js';
import type { ClipTrainables } from './clip-trainables.js';

/** A tower to lock: all of it but its last `unlocked` layer groups. */
interface TowerLock {
  readonly tower: TrainableImageEncoder | TrainableTextEncoder;
  readonly unlocked: number;
  readonly freezeBatchNormStats: boolean;
  /** The config field of `unlocked`, for errors. */
  readonly field: string;
}

/** The variables a lock fixes: the whole tower, or its groups before the last `unlocked`. */
function lockedVariables({ tower, unlocked, freezeBatchNormStats, field }: TowerLock): Variable[] {
  const state = tower.stateDict();
  const groups = tower.layerGroups?.();
  if (!groups) {
    if (unlocked === 0) return [...state.values()];
    throw new ConfigError([{ path: field, message: 'must be 0: this tower does not declare layer groups (LayerGroups), so it can only be locked whole', value: unlocked }]);
  }
  if (unlocked > groups.length) {
    throw new ConfigError([{ path: field, message: `must be at most ${groups.length}, the tower's number of layer groups`, value: unlocked }]);
  }
  const frozenGroups = groups.length - unlocked;
  if (freezeBatchNormStats) tower.freezeBatchNormStats?.(frozenGroups);
  return groups.slice(0, frozenGroups).flatMap((names) =>
    names.map((name) => {
      const variable = state.get(name);
      if (!variable) throw new Error(`layerGroups() names "${name}", which the tower's stateDict() does not have`);
      return variable;
    }),
  );
}

/**
 * Applies `train.lock` as open_clip's lock_image_tower / lock_text_tower: the locked parameters become
 * non-trainable, so they get no gradient (tf.variableGrads is asked only for trainable ones), no optimiser state
 * and no update, and stay bit for bit as loaded. Groups count from the output: `unlockedGroups: 2` of a ViT keeps
 * its projection and last block (with ln_post) trainable. Returns the number of values locked.
 */
export function lockTowers(parts: ClipTrainables, locks: TowerLocks): number {
  const towers: TowerLock[] = [];
  if (locks.image)
    towers.push({ tower: parts.image, unlocked: locks.image.unlockedGroups, freezeBatchNormStats: locks.image.freezeBatchNormStats, field: 'train.lock.image.unlockedGroups' });
  if (locks.text) towers.push({ tower: parts.text, unlocked: locks.text.unlockedLayers, freezeBatchNormStats: false, field: 'train.lock.text.unlockedLayers' });
  let locked = 0;
  for (const lock of towers) {
    for (const variable of lockedVariables(lock)) {
      if (variable.trainable) locked += variable.size;
      variable.trainable = false;
    }
  }
  return locked;
}
