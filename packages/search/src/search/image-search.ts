import { readFile } from 'node:fs/promises';
import { ClipkitError } from '@clipkit/core';
import { ClipImageTransform, type ClipImageTransformOptions, decodeImage } from '@clipkit/images';
import { SearchRequestError } from '../errors.js';
import { IMAGE_ID_PATTERN } from '../index/image-id.js';
import type { ImageIndex, Neighbour } from '../index/image-index.js';
import { checkEmbeddings, describeModel, matchProbability, type SearchEmbedder } from '../search-embedder.js';
import { MicroBatchQueue, SerialRunner } from './micro-batch-queue.js';

/** One image found. */
export interface SearchResult {
  readonly id: string;
  /** Relative to the indexed root. */
  readonly path: string;
  /** Cosine similarity with the query. */
  readonly score: number;
  /** For text queries of a model with a logit bias (SigLIP): sigmoid(scale x score + bias), the probability of a match; else null. */
  readonly probability: number | null;
  readonly width: number;
  readonly height: number;
  readonly size: number;
}

export interface SearchOptions {
  /** Results wanted. Default 10. */
  readonly k?: number;
  /** Scan every row even when the index has an approximate index. Default false. */
  readonly exact?: boolean;
  /** Stops waiting for the model (a timed-out request): the query leaves the queue. */
  readonly signal?: AbortSignal;
}

export interface ImageSearchOptions {
  /** Most queries per model call when queries arrive together. Default 16. */
  readonly maxBatch?: number;
  /** Image bytes -> pixel values [3, H, W] for the model (e.g. on a worker thread). Default: decoded and preprocessed on this thread. */
  readonly prepareImage?: (bytes: Uint8Array) => Promise<Float32Array>;
}

/**
 * Searches an index with its model: by text, by image (a file or its bytes) and by an indexed image ("more
 * like this"). Queries that arrive together are embedded in one model call (MicroBatchQueue); texts and
 * images share one runner, so the model runs one batch at a time.
 */
export class ImageSearch {
  private readonly texts: MicroBatchQueue<string, Float32Array>;
  private readonly images: MicroBatchQueue<Float32Array, Float32Array>;
  private readonly prepareImage: (bytes: Uint8Array) => Promise<Float32Array>;

  constructor(
    readonly index: ImageIndex,
    readonly embedder: SearchEmbedder,
    options: ImageSearchOptions = {},
  ) {
    index.requireModel(describeModel(embedder));
    const { embedDim, preprocess } = index.model;
    const runner = new SerialRunner();
    const rows = (flat: Float32Array, n: number) => Array.from({ length: n }, (_, i) => flat.subarray(i * embedDim, (i + 1) * embedDim));
    this.texts = new MicroBatchQueue(async (texts) => rows(checkEmbeddings(await embedder.embedTexts(texts), texts.length, embedDim, 'embedTexts'), texts.length), {
      maxBatch: options.maxBatch,
      runner,
    });
    const { height, width } = preprocess.cropSize;
    const plane = 3 * height * width;
    this.images = new MicroBatchQueue(
      async (images) => {
        const pixels = new Float32Array(images.length * plane); // [n, 3, H, W]
        for (const [i, image] of images.entries()) pixels.set(image, i * plane);
        return rows(checkEmbeddings(await embedder.embedPixels(pixels, [images.length, 3, height, width]), images.length, embedDim, 'embedPixels'), images.length);
      },
      { maxBatch: options.maxBatch, runner },
    );
    this.prepareImage = options.prepareImage ?? inThreadImagePreparer(preprocess);
  }

  /** Images that match a text, best first. */
  async byText(text: string, options: SearchOptions = {}): Promise<SearchResult[]> {
    if (typeof text !== 'string' || text.trim().length === 0) throw new SearchRequestError(400, 'the search text is empty: type what the images should show');
    const vector = await this.texts.push(text, options.signal);
    return this.results(await this.index.nearest(vector, { k: kOf(options), exact: options.exact }), true);
  }

  /** Images like the image in `input` (a file path or the file's bytes), best first. */
  async byImage(input: string | Uint8Array, options: SearchOptions = {}): Promise<SearchResult[]> {
    const bytes = typeof input === 'string' ? await readImageFile(input) : input;
    const pixels = await this.prepareImage(bytes).catch((error: unknown) => {
      // The decoder names a buffer; a query given as a file names the file.
      throw typeof input === 'string' && error instanceof ClipkitError ? new SearchRequestError(400, `${input}: ${error.message}`, { cause: error }) : error;
    });
    const vector = await this.images.push(pixels, options.signal);
    return this.results(await this.index.nearest(vector, { k: kOf(options), exact: options.exact }), false);
  }

  /** Images like the indexed image `id` ("more like this"), best first, the image itself left out. */
  async byId(id: string, options: SearchOptions = {}): Promise<SearchResult[]> {
    if (!IMAGE_ID_PATTERN.test(id)) throw new SearchRequestError(400, `"${truncate(id)}" is not an image id (24 hex digits, as search results give them)`);
    const row = await this.index.row(id);
    if (!row) throw new SearchRequestError(404, `no image with id ${id} in the index`);
    return this.results(await this.index.nearest(row.vector, { k: kOf(options), exact: options.exact, excludeId: id }), false);
  }

  /** Closes the index. */
  close(): void {
    this.index.close();
  }

  private results(neighbours: readonly Neighbour[], text: boolean): SearchResult[] {
    return neighbours.map(({ record, cosine }) => ({
      id: record.id,
      path: record.path,
      score: cosine,
      probability: text ? matchProbability(cosine, this.index.model) : null,
      width: record.width,
      height: record.height,
      size: record.size,
    }));
  }
}

async function readImageFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new SearchRequestError(400, `${path}: cannot read the image file (${(error as Error).message})`, { cause: error });
  }
}

/** Decodes and preprocesses image bytes on the calling thread: [3, H, W]. */
export function inThreadImagePreparer(preprocess: ClipImageTransformOptions): (bytes: Uint8Array) => Promise<Float32Array> {
  const transform = new ClipImageTransform(preprocess);
  return async (bytes) => transform.transform(await decodeImage(bytes));
}

function kOf(options: SearchOptions): number {
  const k = options.k ?? 10;
  if (!Number.isSafeInteger(k) || k < 1) throw new SearchRequestError(400, `k must be an integer >= 1, got ${k}`);
  return k;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
