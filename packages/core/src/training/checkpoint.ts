import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { DataPosition } from '../components/dataset.js';
import type { ClipConfig } from '../config/clip-config.js';
import { ClipkitError } from '../errors.js';
import { writeContentAtomic } from '../io/atomic-file.js';
import { writeError } from '../io/write-error.js';
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
const STAGING_PREFIX = '.checkpoint-staging-';
/** sha256 of every other file of a checkpoint, in `sha256sum` format (so `sha256sum -c checksums.sha256` checks it too); written last. */
const CHECKSUMS_FILE = 'checksums.sha256';

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/** Writes the checksums manifest of a checkpoint directory's files. */
async function writeChecksums(dir: string): Promise<void> {
  const lines: string[] = [];
  for (const name of (await readdir(dir)).sort()) lines.push(`${await sha256(join(dir, name))}  ${name}\n`);
  await writeContentAtomic(join(dir, CHECKSUMS_FILE), lines.join(''));
}

/**
 * What to do about a damaged checkpoint: train the run again from its start, in a new folder beside it, with its
 * own config (the checkpoint's clipkit.json, unless that is the damaged file).
 */
function cannotResume(dir: string, damagedFile?: string): string {
  const config = join(dir, LAYOUT_CONFIG_FILES.clipkit);
  const fresh = `${dirname(resolve(dir))}-again`;
  const command = damagedFile === config || !existsSync(config) ? `clipkit train --config CONFIG --out ${fresh}` : `clipkit train --config ${config} --out ${fresh}`;
  return `the checkpoint in ${dir} is damaged and cannot be resumed; start the run again in a new folder: ${command}`;
}

/**
 * Throws, naming the file, unless every file the checkpoint's checksums manifest lists has its sha256 (run before
 * reading anything else of a checkpoint). A checkpoint written before checkpoints had a manifest is taken as it is.
 */
export async function verifyCheckpoint(dir: string): Promise<void> {
  const manifest = join(dir, CHECKSUMS_FILE);
  if (!existsSync(manifest)) return;
  const damaged = (what: string, file?: string) => new ClipkitError(`${what}: ${cannotResume(dir, file)}`);
  for (const line of (await readFile(manifest, 'utf8')).split('\n').filter((l) => l !== '')) {
    const match = /^([0-9a-f]{64}) {2}([^/\\]+)$/.exec(line);
    if (!match) throw damaged(`${manifest} has a malformed line "${line.slice(0, 100)}"`);
    const file = join(dir, match[2]);
    if (!existsSync(file)) throw damaged(`${file} is missing (listed in ${CHECKSUMS_FILE})`, file);
    if ((await sha256(file)) !== match[1]) throw damaged(`${file} does not match its sha256 in ${CHECKSUMS_FILE}`, file);
  }
}

/**
 * Removes what killed runs leave in a run directory: staging directories of checkpoints never finished, and the
 * previous checkpoint once the current one is complete.
 */
export async function removeCheckpointTraces(runDir: string): Promise<void> {
  for (const name of await readdir(runDir)) {
    if (name.startsWith(STAGING_PREFIX)) await rm(join(runDir, name), { recursive: true, force: true });
  }
  if (existsSync(join(runDir, CHECKPOINT_DIR, STATE_FILE))) await rm(join(runDir, PREVIOUS_DIR), { recursive: true, force: true });
}

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
 * the AdamW moments, the trainer state and the sha256 of each (checksums.sha256, written last, verified on
 * resume). The files are written into a fresh directory which then replaces the previous checkpoint by two
 * renames, so at every moment one complete checkpoint exists: `checkpoint/`, or `.checkpoint-previous/` during
 * the swap. A write that fails (a full disk) removes the fresh directory and leaves the previous checkpoint.
 */
export async function saveCheckpoint(runDir: string, contents: CheckpointContents): Promise<string> {
  const { config, model, optimizer, state, prompts } = contents;
  const staging = join(runDir, `${STAGING_PREFIX}${process.pid}`);
  const current = join(runDir, CHECKPOINT_DIR);
  try {
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
    await writeChecksums(staging);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Said of the checkpoint: the staging directory a message would name is gone.
    if (error instanceof ClipkitError) error.message = error.message.split(staging).join(current);
    throw writeError(current, error);
  }

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

/** Restores model variables, optimizer moments and returns the trainer state of a checkpoint (checked by verifyCheckpoint first). */
export async function loadCheckpoint(checkpointDir: string, model: ReadonlyMap<string, tf.Variable>, optimizer: AdamW): Promise<TrainerState> {
  const statePath = join(checkpointDir, STATE_FILE);
  let saved: TrainerState & { optimizerStep: number };
  try {
    saved = JSON.parse(await readFile(statePath, 'utf8'));
  } catch (error) {
    throw new ClipkitError(`${statePath}: cannot read the trainer state (${(error as Error).message}); ${cannotResume(checkpointDir, statePath)}`);
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
