import type { ClipImageTransformOptions } from '@clipkit/images';
import { SearchIndexError } from './errors.js';

/**
 * The model an index is built and searched with. Image and text embeddings are L2-normalised rows of one
 * shared space, so the cosine similarity is a dot product. The lead's CLI adapts a loaded clipkit model
 * (`clipModelEmbedder`); tests use hand-made embedders whose rankings are known.
 */
export interface SearchEmbedder {
  /** Identifies the weights and preprocessing (e.g. a sha256 over the model files): an index refuses any other. */
  readonly modelId: string;
  readonly embedDim: number;
  /** exp(t), the multiplier of cosine similarities in the model's logits. */
  readonly logitScale: number;
  /** SigLIP's bias (logits = scale x cosine + bias), null for CLIP models. */
  readonly logitBias: number | null;
  /** The image preprocessing (plain data, so that worker threads can rebuild the transform). */
  readonly preprocess: ClipImageTransformOptions;
  /** Pixel values [n, 3, h, w] (preprocessed as `preprocess` says) -> n normalised rows, [n, embedDim] row-major. */
  embedPixels(pixelValues: Float32Array, shape: readonly [number, number, number, number]): Promise<Float32Array>;
  /** Texts -> normalised rows [texts.length, embedDim]. */
  embedTexts(texts: readonly string[]): Promise<Float32Array>;
}

/** What an index records of its model, in its table's metadata. */
export interface IndexedModel {
  readonly id: string;
  readonly embedDim: number;
  readonly preprocess: ClipImageTransformOptions;
  readonly logitScale: number;
  readonly logitBias: number | null;
  /**
   * How to load the model again (e.g. the `--model` argument, made absolute), so that `clipkit search --db`
   * needs no `--model`; null when the caller did not say.
   */
  readonly ref: string | null;
}

/** The metadata an index records for `embedder`. */
export function describeModel(embedder: SearchEmbedder, ref: string | null = null): IndexedModel {
  const { modelId, embedDim, preprocess, logitScale, logitBias } = embedder;
  if (typeof modelId !== 'string' || modelId.length === 0) throw new SearchIndexError('SearchEmbedder.modelId must be a non-empty string (e.g. a sha256 of the model files)');
  if (!Number.isSafeInteger(embedDim) || embedDim < 1) throw new SearchIndexError(`SearchEmbedder.embedDim must be an integer >= 1, got ${embedDim}`);
  if (!(Number.isFinite(logitScale) && logitScale > 0)) throw new SearchIndexError(`SearchEmbedder.logitScale must be a positive number, got ${logitScale}`);
  if (logitBias !== null && !Number.isFinite(logitBias)) throw new SearchIndexError(`SearchEmbedder.logitBias must be a number or null, got ${logitBias}`);
  return { id: modelId, embedDim, preprocess: structuredClone(preprocess), logitScale, logitBias, ref };
}

/** Rows whose norm is further than this from 1 mean the embedder did not normalise (float32 rounding stays below 1e-5). */
const NORM_TOLERANCE = 1e-3;

/**
 * Checks what an embedder returned: `rows` x embedDim finite values in rows of norm 1, since the index
 * ranks by dot product. `what` names the call in the error.
 */
export function checkEmbeddings(embeddings: Float32Array, rows: number, embedDim: number, what: string): Float32Array {
  if (!(embeddings instanceof Float32Array) || embeddings.length !== rows * embedDim) {
    throw new SearchIndexError(`${what} returned ${embeddings?.length} values for ${rows} rows of ${embedDim}; a SearchEmbedder returns a Float32Array [rows, embedDim]`);
  }
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let d = 0; d < embedDim; d++) norm += embeddings[r * embedDim + d] ** 2;
    norm = Math.sqrt(norm);
    if (!(Math.abs(norm - 1) <= NORM_TOLERANCE)) {
      throw new SearchIndexError(`${what} returned row ${r} with norm ${Number(norm.toPrecision(6))}; a SearchEmbedder returns L2-normalised rows (divide each row by its norm)`);
    }
  }
  return embeddings;
}

/** sigmoid(scale x cosine + bias): SigLIP's probability that an image and a text match; null for CLIP models. */
export function matchProbability(cosine: number, model: Pick<IndexedModel, 'logitScale' | 'logitBias'>): number | null {
  if (model.logitBias === null) return null;
  return 1 / (1 + Math.exp(-(model.logitScale * cosine + model.logitBias)));
}
