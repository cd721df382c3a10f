import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Variable } from '@tensorflow/tfjs-core';
import type { Tokenizer } from '../components/tokenizer.js';
import type { ClipConfig } from '../config/clip-config.js';
import { assembleClip } from '../di/assemble-clip.js';
import type { AnyClipPlugin } from '../di/plugin.js';
import { BACKEND, IMAGE_ENCODER, TEXT_ENCODER, TOKENIZER, TRAINABLE_IMAGE_ENCODER, TRAINABLE_TEXT_ENCODER } from '../di/slots.js';
import { ClipkitError, WeightsError } from '../errors.js';
import { ClipModel } from '../model/clip-model.js';
import { type TrainableClipModel, VISUAL_PREFIX } from '../weights/clip-state-dict.js';
import { hfStorageOf } from '../weights/hf-storage.js';
import { loadStateDict, type WeightTarget } from '../weights/load-state-dict.js';
import { type ModelDirectory, type ModelLayout, type ReadModelDirectoryOptions, readModelDirectory } from '../weights/model-directory.js';
import { otherWeightFiles } from '../weights/other-weight-files.js';

/** `log` receives what the pipeline chose (backend, weights file, ...); `sources` are where models come from besides core's own layouts. */
export type LoadClipOptions = ReadModelDirectoryOptions;

/** A loaded model. */
export interface LoadedClip {
  readonly model: ClipModel;
  /** Created on first use (reading a vocabulary takes a moment, and pre-tokenized inputs do not need it). */
  readonly tokenizer: Tokenizer;
  readonly config: ClipConfig;
  readonly layout: ModelLayout;
  /** The model as read (its folder, config file, weights file, open_clip preprocess settings, the source that read it). */
  readonly directory: ModelDirectory;
  /** The plug-ins the model was assembled from (saving and exporting use their formats). */
  readonly plugins: readonly AnyClipPlugin[];
  /** The same model with its tfjs towers, whose weights can be saved or trained; an error on another runtime. */
  trainable(): TrainableClipModel;
  /** Releases the towers and everything else the pipeline created. */
  dispose(): Promise<void>;
}

/** Which tower a stored tensor belongs to, by its name (OpenAI's `visual.*`, transformers' `vision_model.*`). */
function towerOf(name: string): 'image' | 'text' | 'model' {
  if (name === 'logit_scale' || name === 'logit_bias') return 'model';
  return name.startsWith(VISUAL_PREFIX) || name.startsWith('vision_model.') || name.startsWith('visual_projection.') ? 'image' : 'text';
}

/**
 * Loads a model for inference: reads its config (readModelDirectory: core's own layouts, then the model
 * sources given), assembles the plug-ins it names, initialises the backend, and loads its weights into the
 * tfjs towers, one tensor at a time. `ref` is a model folder, a weights file, or a reference a model source
 * resolves (`hf:ORG/NAME` with @clipkit/hub's). Towers on another runtime (onnxruntime) load their own files;
 * their tensors in the weights are left alone. The returned model's logit scale (and SigLIP bias) come from
 * the weights, or from the model's config (model.logitScale, model.logitBias) for a folder without weights.
 */
export async function loadClip(ref: string, plugins: readonly AnyClipPlugin[], options: LoadClipOptions = {}): Promise<LoadedClip> {
  const log = options.log ?? ((message: string) => console.error(message));
  const directory = await readModelDirectory(ref, plugins, { ...options, log });
  const { config } = directory;
  const assembly = assembleClip(config, plugins, { modelDir: directory.dir, log });
  const onTfjs = config.backend.type === 'tfjs';
  try {
    await assembly.resolve(BACKEND).init();
    const imageEncoder = assembly.resolve(IMAGE_ENCODER);
    const textEncoder = assembly.resolve(TEXT_ENCODER);
    const targets = new Map<string, Variable | WeightTarget>();
    if (onTfjs) {
      for (const [name, variable] of assembly.resolve(TRAINABLE_IMAGE_ENCODER).stateDict()) targets.set(VISUAL_PREFIX + name, variable);
      for (const [name, variable] of assembly.resolve(TRAINABLE_TEXT_ENCODER).stateDict()) targets.set(name, variable);
    }
    // The model's config holds the initial values; the weights, when there are any, the trained ones.
    let logitScale = Math.exp(config.model.logitScale);
    let logitBias = config.model.logitBias;
    targets.set('logit_scale', { shape: [], set: (v) => (logitScale = Math.exp(v[0])) });
    // A config without a bias may still name a model that has one (a Hugging Face SigLIP config.json says nothing of it).
    targets.set('logit_bias', { shape: [], optional: config.model.logitBias === null, set: (v) => (logitBias = v[0]) });
    if (existsSync(directory.weightsFile)) {
      const file = await directory.openWeights();
      try {
        if (onTfjs && [...file.entries.keys()].every((name) => towerOf(name) === 'model')) {
          throw new WeightsError(
            `${directory.weightsFile} holds no tower weights (an ONNX export keeps them in vision.onnx and text.onnx): ` +
              'load this directory with backend onnxruntime (--backend onnxruntime), or load the model it was exported from',
          );
        }
        const storage = directory.layout === 'huggingface' ? hfStorageOf(config.model, plugins) : undefined;
        await loadStateDict(targets, file, { storage, ignore: (name) => !onTfjs && towerOf(name) !== 'model' });
      } finally {
        await file.close();
      }
    } else if (onTfjs) {
      const others = otherWeightFiles(directory.dir);
      const hint =
        others.length === 0
          ? ''
          : `; the folder holds ${others.join(', ')}, which the model source of @clipkit/checkpoints reads (pass it in \`sources\`; the clipkit command does)`;
      throw new WeightsError(`${directory.weightsFile} does not exist: a ${directory.layout} model directory keeps its weights there${hint}`);
    } else {
      log(
        `clipkit: ${directory.dir} has no ${basename(directory.weightsFile)}; using the config's logit scale ${logitScale.toPrecision(4)}${logitBias === null ? '' : ` and bias ${logitBias}`}`,
      );
    }
    const modelOptions = { logitScale, logitBias, textVocabSize: config.model.text.vocabSize };
    const model = new ClipModel(imageEncoder, textEncoder, modelOptions);
    return {
      model,
      get tokenizer() {
        return assembly.resolve(TOKENIZER);
      },
      config,
      layout: directory.layout,
      directory,
      plugins,
      trainable: () => {
        if (!onTfjs)
          throw new ClipkitError(`this model runs on backend "${config.backend.type}", whose towers have no tfjs weights; load it with backend tfjs to save or train it`);
        return new ClipModel(assembly.resolve(TRAINABLE_IMAGE_ENCODER), assembly.resolve(TRAINABLE_TEXT_ENCODER), modelOptions);
      },
      dispose: () => assembly.dispose(),
    };
  } catch (error) {
    await assembly.dispose();
    throw error;
  }
}
