import type { ClipModel, Tokenizer } from '@clipkit/core';
import { l2Normalize } from '@clipkit/core';
import type { ClipImageTransformOptions } from '@clipkit/images';
import * as tf from '@tensorflow/tfjs-core';
import type { SearchEmbedder } from './search-embedder.js';

export interface ClipModelEmbedderOptions {
  readonly model: ClipModel;
  readonly tokenizer: Tokenizer;
  /** The model's image preprocessing (a ClipImageTransform's `options`). */
  readonly preprocess: ClipImageTransformOptions;
  /** Identifies weights and preprocessing, e.g. `await modelDirectoryId(loaded.directory)`. */
  readonly modelId: string;
  /** Rows per tower call. Default 32. */
  readonly batchSize?: number;
}

/** Normalised rows of `embeds` [N, E] on the host; frees the tensor. */
async function normalisedRows(embeds: tf.Tensor2D): Promise<Float32Array> {
  const normalised = l2Normalize(embeds);
  try {
    return (await normalised.data()) as Float32Array;
  } finally {
    tf.dispose([embeds, normalised]);
  }
}

/**
 * A loaded clipkit model as a SearchEmbedder: pixel values and tokenized texts through the towers
 * (any runtime), rows L2-normalised as the index needs them. Every call frees the tensors it creates.
 */
export function clipModelEmbedder(options: ClipModelEmbedderOptions): SearchEmbedder {
  const { model, tokenizer, preprocess, modelId } = options;
  const batchSize = options.batchSize ?? 32;
  return {
    modelId,
    embedDim: model.embedDim,
    logitScale: model.logitScale,
    logitBias: model.logitBias,
    preprocess,
    async embedPixels(pixelValues, shape) {
      const pixels = tf.tensor4d(pixelValues, [...shape]);
      try {
        return await normalisedRows(await model.encodeImage(pixels, { batchSize }));
      } finally {
        pixels.dispose();
      }
    },
    async embedTexts(texts) {
      const ids = model.tokenize(tokenizer, texts);
      try {
        return await normalisedRows(await model.encodeText(ids, { batchSize }));
      } finally {
        ids.dispose();
      }
    },
  };
}
