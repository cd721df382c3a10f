import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { DataPosition } from '../components/dataset.js';
import type { ClipConfig } from '../config/clip-config.js';
import { ClipkitError } from '../errors.js';
import { writeContentAtomic } from '../io/atomic-file.js';
import { toFloat32 } from '../safetensors/dtypes.js';
import { readSafetensors, SafetensorsFile } from '../safetensors/safetensors-file.js';
import { writeSafetensors } from '../safetensors/write-safetensors.js';
import { loadStateDict } from '../weights/load-state-dict.js';
import { LAYOUT_CONFIG_FILES, WEIGHTS_FILE } from '../weights/model-directory.js';
import { clipPreprocess, PREPROCESSOR_CONFIG_FILE, preprocessorConfigJson } from '../weights/preprocessor-config.js';
import { writeZeroShotPrompts, type ZeroShotPrompts } from '../weights/zero-shot-prompts.js';
import type { AdamW } from './adamw.js';

/** Where a run stands, saved beside the weights. */
export interface TrainerState {
  /** Optimiser steps completed. */
  step: number;
  /** Where the training data stream continues. */
  position: DataPosition;
}

const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'trainer-state.json';
/** The latest complete checkpoint of a run directory; also a clipkit model directory (clipkit.json + model.safetensors). */
export const CHECKPOINT_DIR = 'checkpoint';
const PREVIOUS_DIR = '.checkpoint-previous';

function hostTensors(variables: ReadonlyMap<string, tf.Variable>) {
  return new Map([...variables].map(([name, v]) => [name, { dtype: 'F32' as const, shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) }]));
}

/** What a checkpoint holds. */
export interface CheckpointContents {
  /** The run's config, with the preprocessing its data went through. */
  readonly config: ClipConfig;
  /** Every variable of the model by OpenAI name. */
  readonly model: ReadonlyMap<string, tf.Variable>;
  readonly optimizer: AdamW;
  readonly state: TrainerState;
  /** The class names and templates of the data's zero-shot task, when it has one. */
  readonly prompts?: ZeroShotPrompts;
}

/**
 * Writes a checkpoint of the run in `runDir`: the config (clipkit.json), the model's state dict under
 * OpenAI names (model.safetensors: loadable by `loadClip` and by PyTorch), the image transform of its data
 * (preprocessor_config.json, which transformers reads too), the zero-shot prompts (zero-shot-prompts.json),
 * the AdamW moments and the trainer state. The files are written into a fresh directory which then replaces
 * the previous checkpoint by two renames, so at every moment one complete checkpoint exists: `checkpoint/`,
 * or `.checkpoint-previous/` during the swap.
 */
export async function saveCheckpoint(runDir: string, contents: CheckpointContents): Promise<string> {
  const { config, model, optimizer, state, prompts } = contents;
  const staging = join(runDir, `.checkpoint-staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const imageSize = config.model.vision.imageSize;
  await writeContentAtomic(
    join(staging, PREPROCESSOR_CONFIG_FILE),
    `${JSON.stringify(preprocessorConfigJson(config.preprocess ?? clipPreprocess(imageSize), imageSize), null, 2)}\n`,
  );
  if (prompts) await writeZeroShotPrompts(staging, prompts);
  await writeContentAtomic(join(staging, LAYOUT_CONFIG_FILES.clipkit), `${JSON.stringify(config, null, 2)}\n`);
  await writeSafetensors(join(staging, WEIGHTS_FILE), hostTensors(model), { format: 'pt', producer: 'clipkit' });
  await writeSafetensors(join(staging, OPTIMIZER_FILE), optimizer.stateTensors());
  await writeContentAtomic(join(staging, STATE_FILE), `${JSON.stringify({ ...state, optimizerStep: optimizer.step }, null, 2)}\n`);

  const current = join(runDir, CHECKPOINT_DIR);
  const previous = join(runDir, PREVIOUS_DIR);
  await rm(previous, { recursive: true, force: true });
  if (existsSync(current)) await rename(current, previous);
  await rename(staging, current);
  await rm(previous, { recursive: true, force: true });
  return current;
}

/** The last complete checkpoint of a run directory, or undefined when it has none. */
export function findCheckpoint(runDir: string): string | undefined {
  for (const dir of [CHECKPOINT_DIR, PREVIOUS_DIR]) {
    const path = join(runDir, dir);
    if (existsSync(join(path, STATE_FILE))) return path;
  }
  return undefined;
}

/** The config a checkpoint was trained with. */
export async function readCheckpointConfig(checkpointDir: string): Promise<unknown> {
  return JSON.parse(await readFile(join(checkpointDir, LAYOUT_CONFIG_FILES.clipkit), 'utf8'));
}

/** Restores model variables, optimizer moments and returns the trainer state of a checkpoint. */
export async function loadCheckpoint(checkpointDir: string, model: ReadonlyMap<string, tf.Variable>, optimizer: AdamW): Promise<TrainerState> {
  const statePath = join(checkpointDir, STATE_FILE);
  let saved: TrainerState & { optimizerStep: number };
  try {
    saved = JSON.parse(await readFile(statePath, 'utf8'));
  } catch (error) {
    throw new ClipkitError(`${statePath}: cannot read the trainer state (${(error as Error).message}); the checkpoint is incomplete: start a fresh run without --resume`);
  }
  const weights = await SafetensorsFile.open(join(checkpointDir, WEIGHTS_FILE));
  try {
    await loadStateDict(model, weights);
  } finally {
    await weights.close();
  }
  const moments = await readSafetensors(join(checkpointDir, OPTIMIZER_FILE));
  try {
    optimizer.loadState(new Map([...moments].map(([name, t]) => [name, toFloat32(t)])), saved.optimizerStep);
  } catch (error) {
    throw new ClipkitError(`${join(checkpointDir, OPTIMIZER_FILE)}: ${(error as Error).message}; the checkpoint does not belong to this model`);
  }
  return { step: saved.step, position: saved.position };
}
