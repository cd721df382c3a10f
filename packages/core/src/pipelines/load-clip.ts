import { existsSync } from 'node:fs';
import type { Variable } from '@tensorflow/tfjs-core';
import { isTrainableImageEncoder, isTrainableTextEncoder } from '../components/encoders.js';
import type { Tokenizer } from '../components/tokenizer.js';
import type { ClipConfig } from '../config/clip-config.js';
import { assembleClip } from '../di/assemble-clip.js';
import type { ClipPlugin } from '../di/plugin.js';
import { BACKEND, IMAGE_ENCODER, TEXT_ENCODER, TOKENIZER } from '../di/slots.js';
import { WeightsError } from '../errors.js';
import { ClipModel } from '../model/clip-model.js';
import { SafetensorsFile } from '../safetensors/safetensors-file.js';
import { VISUAL_PREFIX } from '../weights/clip-state-dict.js';
import { loadStateDict, type WeightTarget } from '../weights/load-state-dict.js';
import { type ModelDirectory, type ModelLayout, readModelDirectory, type ReadModelDirectoryOptions } from '../weights/model-directory.js';

export interface LoadClipOptions extends ReadModelDirectoryOptions {
  /** Receives what the pipeline chose (backend, ...). Default: console.error. */
  log?: (message: string) => void;
}

/** A loaded model directory. */
export interface LoadedClip {
  readonly model: ClipModel;
  /** Created on first use (reading a vocabulary takes a moment, and pre-tokenized inputs do not need it). */
  readonly tokenizer: Tokenizer;
  readonly config: ClipConfig;
  readonly layout: ModelLayout;
  /** The directory as read (config file, weights file, open_clip preprocess settings). */
  readonly directory: ModelDirectory;
  /** Releases the towers and everything else the pipeline created. */
  dispose(): Promise<void>;
}

/** The logit scale of OpenAI's trained CLIPs, used when a directory has no weights file to read it from. */
const OPENAI_LOGIT_SCALE = 100;

/** Which tower a stored tensor belongs to, by its name in either naming scheme. */
function towerOf(name: string): 'image' | 'text' | 'model' {
  if (name === 'logit_scale' || name === 'logit_bias') return 'model';
  return name.startsWith(VISUAL_PREFIX) || name.startsWith('vision_model.') || name.startsWith('visual_projection.') ? 'image' : 'text';
}

/**
 * Loads a model directory (Hugging Face, open_clip or clipkit layout) for inference: reads its config,
 * assembles the plug-ins it names, initialises the backend, and loads model.safetensors into the tfjs
 * towers. Towers on another runtime (onnxruntime) load their own files; their tensors in model.safetensors
 * are left alone. The returned model's logit scale (and SigLIP bias) come from the weights.
 */
export async function loadClip(modelDir: string, plugins: readonly ClipPlugin[], options: LoadClipOptions = {}): Promise<LoadedClip> {
  const directory = readModelDirectory(modelDir, options);
  const { config } = directory;
  const log = options.log ?? ((message: string) => console.error(message));
  const assembly = assembleClip(config, plugins, { modelDir, log });
  try {
    await assembly.resolve(BACKEND).init();
    const imageEncoder = assembly.resolve(IMAGE_ENCODER);
    const textEncoder = assembly.resolve(TEXT_ENCODER);

    const targets = new Map<string, Variable | WeightTarget>();
    const loadImage = isTrainableImageEncoder(imageEncoder);
    const loadText = isTrainableTextEncoder(textEncoder);
    if (loadImage) for (const [name, variable] of imageEncoder.stateDict()) targets.set(VISUAL_PREFIX + name, variable);
    if (loadText) for (const [name, variable] of textEncoder.stateDict()) targets.set(name, variable);
    let logitScale = OPENAI_LOGIT_SCALE;
    let logitBias: number | null = null;
    targets.set('logit_scale', { shape: [], set: (v) => (logitScale = Math.exp(v[0])) });
    targets.set('logit_bias', { shape: [], optional: true, set: (v) => (logitBias = v[0]) });

    if (existsSync(directory.weightsFile)) {
      const file = await SafetensorsFile.open(directory.weightsFile);
      try {
        if ((loadImage || loadText) && file.names.every((name) => towerOf(name) === 'model')) {
          throw new WeightsError(
            `${directory.weightsFile} holds no tower weights (an ONNX export keeps them in vision.onnx and text.onnx): ` +
              'load this directory with backend onnxruntime (--backend onnxruntime), or load the model it was exported from',
          );
        }
        const skip = (name: string) => (towerOf(name) === 'image' && !loadImage) || (towerOf(name) === 'text' && !loadText);
        await loadStateDict(targets, file, { names: directory.layout === 'huggingface' ? 'huggingface' : 'openai', ignore: skip });
      } finally {
        await file.close();
      }
    } else if (loadImage || loadText) {
      throw new WeightsError(
        `${directory.weightsFile} does not exist: a ${directory.layout} model directory keeps its weights there (PyTorch .bin/.pt files must be converted to safetensors first)`,
      );
    } else {
      log(`clipkit: ${modelDir} has no model.safetensors; using logit scale ${OPENAI_LOGIT_SCALE}`);
    }
    const model = new ClipModel(imageEncoder, textEncoder, { logitScale, logitBias, textVocabSize: config.model.text.vocabSize });
    return {
      model,
      get tokenizer() {
        return assembly.resolve(TOKENIZER);
      },
      config,
      layout: directory.layout,
      directory,
      dispose: () => assembly.dispose(),
    };
  } catch (error) {
    await assembly.dispose();
    throw error;
  }
}
