import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ClipConfig } from '../config/clip-config.js';
import { toHfModelConfig } from '../config/to-hf-model-config.js';
import { toOpenClipModelConfig } from '../config/to-open-clip-model-config.js';
import type { AnyClipPlugin } from '../di/plugin.js';
import { ClipkitError } from '../errors.js';
import { writeContentAtomic } from '../io/atomic-file.js';
import { type HostTensor, toFloat16 } from '../safetensors/dtypes.js';
import { writeSafetensors } from '../safetensors/write-safetensors.js';
import { clipStateTensors, type TrainableClipModel } from './clip-state-dict.js';
import { toHfStateTensors } from './hf-state-tensors.js';
import { hfStorageOf } from './hf-storage.js';
import { LAYOUT_CONFIG_FILES, type ModelLayout, WEIGHTS_FILE } from './model-directory.js';
import { clipPreprocess, PREPROCESSOR_CONFIG_FILE, preprocessorConfigJson } from './preprocessor-config.js';
import { writeZeroShotPrompts, type ZeroShotPrompts } from './zero-shot-prompts.js';

export interface SaveClipModelOptions {
  /** The class names and prompt templates the model was trained for, written to zero-shot-prompts.json. Default: none. */
  prompts?: ZeroShotPrompts;
  /**
   * How the float weights are stored: "float16" halves the file (every float tensor as F16, rounded to nearest
   * even as PyTorch's `.half()`; loading widens them back to float32 exactly). Default "float32".
   */
  dtype?: 'float32' | 'float16';
}

/** transformers reads safetensors only with this metadata (it names the framework the tensors came from). */
const METADATA = { format: 'pt' };
const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'tokenizer.json', 'spiece.model', 'tokenizer_config.json', 'special_tokens_map.json'];

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * PyTorch's BatchNorm has a `num_batches_tracked` counter clipkit does not keep; writing it (as 0) lets
 * open_clip load the file with strict=True on every PyTorch version.
 */
function withBatchNormCounters(tensors: Map<string, HostTensor>): Map<string, HostTensor> {
  for (const name of [...tensors.keys()]) {
    if (name.endsWith('.running_mean')) tensors.set(name.replace(/running_mean$/, 'num_batches_tracked'), { dtype: 'I64', shape: [], data: BigInt64Array.of(0n) });
  }
  return tensors;
}

/** Every float32 tensor as float16 (integer tensors, such as BatchNorm counters, unchanged). */
function asFloat16(tensors: Map<string, HostTensor>): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [name, t] of tensors) out.set(name, t.dtype === 'F32' ? { dtype: 'F16', shape: t.shape, data: toFloat16(t.data as Float32Array) } : t);
  return out;
}

/** Copies the tokenizer's Hugging Face files (vocab.json + merges.txt, tokenizer.json) into `dir`; returns whether it did. */
async function copyTokenizerFiles(path: string | null, dir: string): Promise<boolean> {
  if (path === null || !existsSync(path)) return false;
  const source = statSync(path).isDirectory() ? path : dirname(path);
  if (!statSync(path).isDirectory() && !TOKENIZER_FILES.includes(basename(path))) return false;
  const files = TOKENIZER_FILES.filter((f) => existsSync(join(source, f)));
  if (resolve(source) !== resolve(dir)) for (const f of files) await writeContentAtomic(join(dir, f), await readFile(join(source, f)));
  return files.length > 0;
}

/**
 * Saves a model with tfjs towers as a model directory in one of the three layouts, with the image transform of
 * `config.preprocess` (OpenAI CLIP's when null) as a transformers preprocessor_config.json (clipkit and Hugging
 * Face layouts; open_clip's preprocess_cfg plus the exact transform under a `clipkit` key):
 * - "clipkit": clipkit.json (the whole validated config, so training can later keep optimizer state beside it)
 *   + model.safetensors with OpenAI names + preprocessor_config.json;
 * - "open_clip": open_clip_config.json ({ model_cfg, preprocess_cfg }, as open_clip's Hub export) + the same
 *   OpenAI-named model.safetensors: `open_clip.create_model_and_transforms("local-dir:DIR")` / `hf-hub:` load it;
 * - "huggingface": config.json + transformers-named model.safetensors + preprocessor_config.json:
 *   `CLIPModel.from_pretrained(DIR)` loads it (Vision Transformer models without logit bias only).
 * The tokenizer's vocab.json/merges.txt or tokenizer.json are copied along when the config names them.
 * Every file is written atomically, the config last, so the config never points at weights not yet written.
 */
export async function saveClipModel(
  dir: string,
  layout: ModelLayout,
  model: TrainableClipModel,
  config: ClipConfig,
  plugins: readonly AnyClipPlugin[],
  options: SaveClipModelOptions = {},
): Promise<void> {
  const { vision, embedDim } = config.model;
  if (model.embedDim !== embedDim || model.imageEncoder.imageSize !== vision.imageSize) {
    throw new ClipkitError(
      `the config describes a ${vision.imageSize}px model embedding into ${embedDim} dimensions, but the model takes ${model.imageEncoder.imageSize}px images into ${model.embedDim}`,
    );
  }
  const preprocess = config.preprocess ?? clipPreprocess(vision.imageSize);
  // Converted before anything is written, so a model the layout cannot hold leaves the directory untouched.
  let configJson: unknown;
  let tensors = clipStateTensors(model);
  if (layout === 'huggingface') {
    configJson = toHfModelConfig(config.model, plugins);
    tensors = toHfStateTensors(tensors, hfStorageOf(config.model, plugins));
  } else {
    tensors = withBatchNormCounters(tensors);
    if (layout === 'open_clip') {
      const modelCfg = toOpenClipModelConfig({ ...config.model, logitBias: model.logitBias }, plugins);
      // open_clip resizes to the model's size and crops to it; a `clipkit` key (which open_clip ignores) holds the exact transform.
      const resizeMode = preprocess.resizeMode === 'squash' ? 'squash' : 'shortest';
      configJson = {
        model_cfg: modelCfg,
        preprocess_cfg: { mean: preprocess.mean, std: preprocess.std, interpolation: 'bicubic', resize_mode: resizeMode },
        clipkit: { preprocess },
      };
    }
  }

  if (options.dtype === 'float16') tensors = asFloat16(tensors);

  await mkdir(dir, { recursive: true });
  await writeSafetensors(join(dir, WEIGHTS_FILE), tensors, METADATA);
  const tokenizerPath = typeof config.tokenizer.path === 'string' ? config.tokenizer.path : null;
  const copiedTokenizer = await copyTokenizerFiles(tokenizerPath, dir);
  if (layout !== 'open_clip') await writeContentAtomic(join(dir, PREPROCESSOR_CONFIG_FILE), json(preprocessorConfigJson(preprocess, vision.imageSize)));
  if (options.prompts) await writeZeroShotPrompts(dir, options.prompts);
  // The clipkit config points at the copied tokenizer relative to the directory, so the directory can move.
  if (layout === 'clipkit') configJson = { ...config, preprocess, tokenizer: { ...config.tokenizer, path: copiedTokenizer ? '.' : tokenizerPath } };
  await writeContentAtomic(join(dir, LAYOUT_CONFIG_FILES[layout]), json(configJson));
}
