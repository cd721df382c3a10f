import type { LoadedClip } from '@clipkit/core';
import { clipModelEmbedder, modelDirectoryId, type SearchEmbedder } from '@clipkit/search';
import { imagePreprocessor } from './image-preprocessor.js';
import { type OpenModelOptions, openModel } from './open-model.js';

export interface OpenSearchEmbedderOptions extends OpenModelOptions {
  /** Images or texts per model call. Default 32. */
  batchSize?: number;
}

/**
 * The model a `--model` names as a SearchEmbedder: its towers, tokenizer and preprocessing, identified by a
 * hash of its files (an index built with it refuses any other model). `loaded.dispose()` releases the model.
 */
export async function openSearchEmbedder(ref: string, options: OpenSearchEmbedderOptions = {}): Promise<{ embedder: SearchEmbedder; loaded: LoadedClip }> {
  const loaded = await openModel(ref, options);
  try {
    const transform = await imagePreprocessor(loaded);
    const embedder = await clipModelEmbedder({
      model: loaded.model,
      tokenizer: loaded.tokenizer,
      preprocess: transform.options,
      modelId: await modelDirectoryId(loaded.directory),
      batchSize: options.batchSize,
    });
    return { embedder, loaded };
  } catch (error) {
    await loaded.dispose();
    throw error;
  }
}
