import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { clipStateSource, type LoadedClip, type TensorSource } from '@clipkit/core';
import { modelPreprocess } from '../inference/image-preprocessor.js';
import { openModel } from '../inference/open-model.js';

type Json = Record<string, unknown>;

/** The model `train.init` names, opened, and the config with what it takes from that model. */
export interface InitModel {
  /** The config JSON with the model's section, tokenizer, preprocessing, logit scale and bias where it sets none. */
  readonly json: Json;
  /** Plug-in packages the model's own config names (a third-party tower). */
  readonly plugins: readonly string[];
  /** Its weights for trainClip, which disposes the model once they are read. */
  readonly weights: TensorSource;
}

/** Keys that mark a `model` section written in open_clip's or Hugging Face's form: a whole model, not clipkit overrides. */
const FOREIGN_MODEL_KEYS = ['embed_dim', 'vision_cfg', 'model_type', 'vision_config', 'projection_dim'];

/** A train.init reference: a path relative to the config's folder when one exists there, else as given (a hub name, or relative to the working directory). */
export function resolveInitRef(ref: string, configDir: string): string {
  const local = resolve(configDir, ref);
  return existsSync(local) ? local : ref;
}

/**
 * The `model` section of a run from `init`: the model's own, with its trained logit scale and bias, under what
 * the config's section sets (a clipkit section is merged over it, so `{ "logitScale": 2.66 }` restarts the
 * scale alone; an open_clip or Hugging Face section replaces it whole).
 */
function modelSection(loaded: LoadedClip, given: unknown): unknown {
  const own = { ...loaded.config.model, logitScale: Math.log(loaded.model.logitScale), logitBias: loaded.model.logitBias };
  if (given === undefined) return own;
  const section = given as Json;
  return FOREIGN_MODEL_KEYS.some((key) => key in section) ? section : { ...own, ...section };
}

/**
 * Opens the model `train.init` names (a model folder, a checkpoint file or a hub name: whatever openModel reads)
 * on tfjs and completes the config JSON from it: the model section, tokenizer and preprocessing come from the
 * model unless the config sets them, and `train.init` becomes the resolved reference the checkpoint records.
 * A model with a logit bias (SigLIP) was trained with the sigmoid loss, which alone trains that bias: it is the
 * default loss of such a model, as a SiglipModel's own loss is in transformers.
 */
export async function openInitModel(json: Json, ref: string, log: (message: string) => void): Promise<InitModel> {
  const loaded = await openModel(ref, { backend: 'tfjs', log });
  try {
    const train = (json.train ?? {}) as Json;
    const completed: Json = {
      ...json,
      model: modelSection(loaded, json.model),
      tokenizer: json.tokenizer ?? loaded.config.tokenizer,
      preprocess: json.preprocess ?? (await modelPreprocess(loaded)),
      loss: json.loss ?? (loaded.model.logitBias === null ? undefined : { type: 'siglip' }),
      train: { ...train, init: ref },
    };
    const weights = clipStateSource(loaded.trainable(), ref, () => loaded.dispose());
    return { json: completed, plugins: loaded.config.plugins, weights };
  } catch (error) {
    await loaded.dispose();
    throw error;
  }
}
