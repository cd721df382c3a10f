import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type ModelLayout, saveClipModel } from '@clipkit/core';
import { modelPreprocess } from '../inference/image-preprocessor.js';
import { openModel, resolveModel } from '../inference/open-model.js';
import { modelPrompts } from '../inference/prompt-templates.js';
import { checkNotSource, checkOutFolder, writeFolderStaged } from '../output/write-folder-staged.js';

export type ConvertLayout = 'clipkit' | 'hf' | 'open_clip';

export interface ConvertOptions {
  model: string;
  out: string;
  layout: ConvertLayout;
  dtype: 'float32' | 'float16';
  force?: boolean;
}

const LAYOUTS: Readonly<Record<ConvertLayout, ModelLayout>> = { clipkit: 'clipkit', hf: 'huggingface', open_clip: 'open_clip' };

/**
 * `clipkit convert`: any model clipkit reads, written as a model folder in one of its layouts (see saveClipModel),
 * its weights in float32 or float16, with the model's image transform and prompts; through a staging folder renamed into place.
 */
export async function convert(options: ConvertOptions): Promise<void> {
  const out = resolve(options.out);
  checkOutFolder(out, options.force ?? false);
  // A hub name becomes its snapshot folder once; both checks come before the model is loaded.
  const { path } = await resolveModel(options.model);
  checkNotSource(out, existsSync(path) && statSync(path).isFile() ? dirname(path) : path);
  // Loaded on tfjs: the towers' variables are the weights written.
  const loaded = await openModel(path, { backend: 'tfjs' });
  try {
    // The model's own transform and prompts travel with it into the new folder.
    const config = { ...loaded.config, preprocess: await modelPreprocess(loaded) };
    const model = loaded.trainable();
    await writeFolderStaged(out, (staging) =>
      saveClipModel(staging, LAYOUTS[options.layout], model, config, loaded.plugins, { dtype: options.dtype, prompts: modelPrompts(loaded) }),
    );
    console.log(`wrote ${out}: the ${options.layout} layout, ${options.dtype} weights, from ${loaded.directory.weightsFile}`);
  } finally {
    await loaded.dispose();
  }
}
