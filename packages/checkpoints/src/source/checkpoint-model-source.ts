import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ModelSource, readJsonConfig, type SourcedModel, type TensorSource } from '@clipkit/core';
import { CheckpointError } from '../checkpoint-error.js';
import { openCheckpoint } from '../open-checkpoint.js';
import { chooseWeightsFile } from './choose-weights-file.js';
import { inferOpenAiModelConfig, OPENAI_NON_WEIGHTS } from './infer-openai-model-config.js';
import { withoutTensors } from './without-tensors.js';

/** Files this source reads when given one directly; for others core's error stands. */
const CHECKPOINT_FILE = /\.(?:bin|pt|pth|safetensors|index\.json)$/;

/**
 * Configs for OpenAI-named weights, in order: open_clip's hub config (`{ model_cfg, preprocess_cfg }`), then a
 * bare open_clip model config (open_clip's model_configs/<model>.json, which a training run takes from its
 * --model: kept beside a training checkpoint as model_config.json).
 */
const OPEN_CLIP_CONFIGS = ['open_clip_config.json', 'model_config.json'];

/** transformers names the towers vision_model / text_model; OpenAI and open_clip use `visual.*` and top-level text names. */
function hasTransformersNames(names: Iterable<string>): boolean {
  for (const name of names) if (name.startsWith('vision_model.') || name.startsWith('text_model.')) return true;
  return false;
}

const readConfig = (file: string) => readJsonConfig(file, (json) => json as Record<string, unknown>);

/** What choosing a config needs from the weights: their names and shapes, and whether they are a TorchScript archive. */
async function inspect(file: string): Promise<{ entries: TensorSource['entries']; torchScript: boolean }> {
  const source = await openCheckpoint(file);
  try {
    return { entries: source.entries, torchScript: 'format' in source && source.format === 'torchscript' };
  } finally {
    await source.close();
  }
}

/** OpenAI's int64 scalars (input_resolution, ...) are not weights: build_model deletes them, so does this. */
async function openOpenAiWeights(file: string): Promise<TensorSource> {
  return withoutTensors(await openCheckpoint(file), OPENAI_NON_WEIGHTS);
}

/** The config for a weights file, by the names it uses, and its opener. */
async function sourcedCheckpoint(weightsFile: string, notes: string[]): Promise<SourcedModel> {
  const dir = dirname(weightsFile);
  const { entries, torchScript } = await inspect(weightsFile);
  if (hasTransformersNames(entries.keys())) {
    const configFile = join(dir, 'config.json');
    if (!existsSync(configFile)) {
      throw new CheckpointError(weightsFile, `holds a transformers checkpoint (vision_model.*, text_model.*) but ${dir} has no config.json: put the model's config.json beside it`);
    }
    return { layout: 'huggingface', config: readConfig(configFile), configFile, weightsFile, notes, openWeights: () => openCheckpoint(weightsFile) };
  }
  const configFile = OPEN_CLIP_CONFIGS.map((file) => join(dir, file)).find((file) => existsSync(file));
  if (configFile) return { layout: 'open_clip', config: readConfig(configFile), configFile, weightsFile, notes, openWeights: () => openOpenAiWeights(weightsFile) };
  if (!torchScript) {
    throw new CheckpointError(
      weightsFile,
      `has OpenAI/open_clip names but no config beside it: put the open_clip model config it was made with (open_clip's src/open_clip/model_configs/<model>.json) beside it as ${OPEN_CLIP_CONFIGS[1]} (or ${OPEN_CLIP_CONFIGS[0]})`,
    );
  }
  // An archive as OpenAI released CLIP carries no config: clip.load builds the model from the weight shapes.
  const config = inferOpenAiModelConfig(weightsFile, entries);
  notes.push(`${weightsFile}: no config beside it; architecture read from the weight shapes as OpenAI's build_model does: ${JSON.stringify(config)}`);
  return { layout: 'open_clip', config, configFile: weightsFile, weightsFile, notes, openWeights: () => openOpenAiWeights(weightsFile) };
}

/**
 * The model source of PyTorch checkpoints and the weight formats around them, for `loadClip(ref, plugins,
 * { sources })`. In a folder that core's own layouts do not read (no model.safetensors), the weights file is
 * the first of model.safetensors.index.json, open_clip_model.safetensors, open_clip_pytorch_model.bin,
 * pytorch_model.bin, pytorch_model.bin.index.json, else the latest epoch_N.pt, else the one .pt/.pth/.bin
 * file (the log says which and why when there are several); a weights file may also be given directly. Its
 * config, by the names it holds: transformers' (vision_model.*) read with config.json; OpenAI's with
 * open_clip_config.json or model_config.json beside it, or, for a TorchScript archive without either,
 * inferred from the shapes as OpenAI's build_model does. Nothing in a file is executed (see openCheckpoint).
 */
export const checkpointModelSource: ModelSource = {
  name: '@clipkit/checkpoints',
  async read(path) {
    if (!existsSync(path)) return undefined;
    if (!statSync(path).isDirectory()) return CHECKPOINT_FILE.test(path) ? sourcedCheckpoint(path, []) : undefined;
    const chosen = chooseWeightsFile(path);
    return chosen === undefined ? undefined : sourcedCheckpoint(chosen.file, chosen.note === undefined ? [] : [chosen.note]);
  },
};
