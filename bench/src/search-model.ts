import { initTfjs, type TfjsDevice } from '@clipkit/backend-tfjs';
import { assembleClip, ClipModel, IMAGE_ENCODER, loadClip, parseClipConfig, TEXT_ENCODER, TOKENIZER } from '@clipkit/core';
import { ClipImageTransform, loadPreprocessorConfig } from '@clipkit/images';
import { clipModelEmbedder, modelDirectoryId, type SearchEmbedder } from '@clipkit/search';
import { defaultPlugins } from 'clipkit';
import { OPEN_CLIP_SHAPES } from './open-clip-shapes.js';

/** open_clip-style configs of the models the search benchmarks embed with (random weights, 224-px images). */
const SEARCH_MODELS = {
  'vit-b-32': OPEN_CLIP_SHAPES['ViT-B-32'],
  /** A ViT of 2 layers, width 128, patch 32: the pipeline's costs without ViT-B-32's. */
  tiny: {
    embed_dim: 64,
    vision_cfg: { image_size: 224, layers: 2, width: 128, patch_size: 32 },
    text_cfg: { context_length: 77, vocab_size: 49408, width: 64, heads: 2, layers: 2 },
  },
} as const;

export type SearchModelName = keyof typeof SEARCH_MODELS;

export function isSearchModelName(name: string): name is SearchModelName {
  return name in SEARCH_MODELS;
}

/** A randomly initialised CLIP of `name`'s shape as a SearchEmbedder (OpenAI's vocabulary and preprocessing). */
export async function randomSearchEmbedder(name: SearchModelName, device: TfjsDevice = 'auto'): Promise<{ embedder: SearchEmbedder; backend: string; dispose(): Promise<void> }> {
  const { description } = await initTfjs({ device, log: () => undefined });
  const plugins = await defaultPlugins();
  const config = parseClipConfig({ model: SEARCH_MODELS[name], backend: { type: 'tfjs', device } }, plugins);
  const assembly = assembleClip(config, plugins, { log: () => undefined });
  const model = new ClipModel(assembly.resolve(IMAGE_ENCODER), assembly.resolve(TEXT_ENCODER), { logitScale: 100 });
  const embedder = await clipModelEmbedder({
    model,
    tokenizer: assembly.resolve(TOKENIZER),
    preprocess: ClipImageTransform.forImageSize(224).options,
    modelId: `random-${name}`,
  });
  return { embedder, backend: description, dispose: () => assembly.dispose() };
}

/** A trained model directory as a SearchEmbedder, as `clipkit index --model DIR` opens it (its preprocessor_config.json, else OpenAI's). */
export async function directorySearchEmbedder(dir: string): Promise<{ embedder: SearchEmbedder; backend: string; dispose(): Promise<void> }> {
  let backend = '';
  const loaded = await loadClip(dir, await defaultPlugins(), { log: (message) => (backend ||= message) });
  const transform = await loadPreprocessorConfig(dir, loaded.model.imageEncoder.imageSize);
  const embedder = await clipModelEmbedder({ model: loaded.model, tokenizer: loaded.tokenizer, preprocess: transform.options, modelId: await modelDirectoryId(loaded.directory) });
  return { embedder, backend, dispose: () => loaded.dispose() };
}
