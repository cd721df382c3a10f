import { type ClipBatch, type ClipDataset, ClipkitError, type DataPosition, type RetrievalTask, type SeededRandom } from '@clipkit/core';
import { dataRandom, epochRandom } from '../common/data-random.js';
import { dropLastBatches, epochBatches } from '../common/epoch-batches.js';
import { prefetch } from '../common/prefetch.js';
import type { ImageLoader } from './image-loader.js';
import type { CaptionRow } from './read-caption-table.js';

const NAME = 'image-text';
/** Unreadable images are named in the log up to this many times; `skipped` counts them all. */
const LOGGED_SKIPS = 10;

export interface ImageTextDatasetOptions {
  /** Training pairs, image paths absolute. */
  readonly train: readonly CaptionRow[];
  /** Retrieval pairs, image paths absolute; undefined: no retrieval task. */
  readonly eval: readonly CaptionRow[] | undefined;
  /** Side of the model's input images. */
  readonly imageSize: number;
  /** train.seed: the order of each epoch. */
  readonly seed: number;
  readonly loader: ImageLoader;
  readonly log: (message: string) => void;
  /** Batches produced ahead of the consumer. Default 2. */
  readonly prefetchDepth?: number;
}

/**
 * Image-caption pairs from a folder and a table. Each epoch visits the pairs in a fresh permutation; batch b
 * starts at position bB of it and takes the next readable images, so an unreadable image is skipped (and
 * counted) and its place taken by the next pair, which may then appear twice in that epoch. Because batch b
 * always starts at bB, a run resumed at any position sees the same batches as an uninterrupted one.
 */
export class ImageTextDataset implements ClipDataset {
  private readonly unreadable = new Set<string>();
  private readonly data: SeededRandom;
  private readonly prefetchDepth: number;
  private order: { epoch: number; order: Int32Array } | undefined;

  constructor(private readonly options: ImageTextDatasetOptions) {
    this.data = dataRandom(options.seed);
    this.prefetchDepth = options.prefetchDepth ?? 2;
  }

  get skipped(): number {
    return this.unreadable.size;
  }

  batchesPerEpoch(batchSize: number): number {
    return dropLastBatches(this.options.train.length, batchSize, NAME);
  }

  trainBatches(options: { batchSize: number; start: DataPosition }): AsyncIterable<{ batch: ClipBatch; next: DataPosition }> {
    const { batchSize, start } = options;
    const perEpoch = this.batchesPerEpoch(batchSize);
    return prefetch(
      epochBatches(perEpoch, start, NAME, (position) => this.fill(this.epochOrder(position.epoch), position.batch * batchSize, batchSize)),
      this.prefetchDepth,
    );
  }

  private epochOrder(epoch: number): Int32Array {
    if (this.order?.epoch !== epoch) this.order = { epoch, order: epochRandom(this.data, epoch).permutation(this.options.train.length) };
    return this.order.order;
  }

  /** The first `batchSize` readable pairs at positions from, from + 1, ... of `order` (wrapping round). */
  private async fill(order: Int32Array, from: number, batchSize: number): Promise<ClipBatch> {
    const rows: CaptionRow[] = [];
    const pixels: Float32Array[] = [];
    let scanned = 0;
    while (rows.length < batchSize) {
      const candidates: CaptionRow[] = [];
      while (candidates.length < batchSize - rows.length && scanned < order.length) {
        const row = this.options.train[order[(from + scanned) % order.length]];
        scanned++;
        if (!this.unreadable.has(row.image)) candidates.push(row);
      }
      if (candidates.length === 0) {
        throw new ClipkitError(
          `${NAME}: only ${this.options.train.length - this.unreadable.size} of the ${this.options.train.length} training images can be read, fewer than a batch of ${batchSize}; fix the images or lower train.batchSize`,
        );
      }
      const loaded = await this.load(candidates);
      for (const [i, row] of loaded.rows.entries()) {
        rows.push(row);
        pixels.push(loaded.pixels[i]);
      }
    }
    return this.batch(rows, pixels);
  }

  /** Decodes the rows' images; unreadable ones are left out, logged (the first few) and counted. */
  private async load(rows: readonly CaptionRow[]): Promise<{ rows: CaptionRow[]; pixels: Float32Array[] }> {
    const results = await this.options.loader.load(rows.map((row) => row.image));
    const loaded: { rows: CaptionRow[]; pixels: Float32Array[] } = { rows: [], pixels: [] };
    results.forEach((result, i) => {
      if ('pixels' in result) {
        loaded.rows.push(rows[i]);
        loaded.pixels.push(result.pixels);
      } else if (!this.unreadable.has(rows[i].image)) {
        this.unreadable.add(rows[i].image);
        if (this.unreadable.size <= LOGGED_SKIPS) this.options.log(`${NAME}: skipping ${rows[i].where}: ${result.error}`);
        if (this.unreadable.size === LOGGED_SKIPS) this.options.log(`${NAME}: further unreadable images are skipped without a message (the dataset's skipped count has them all)`);
      }
    });
    return loaded;
  }

  private batch(rows: readonly CaptionRow[], pixels: readonly Float32Array[]): ClipBatch {
    const side = this.options.imageSize;
    const size = 3 * side * side;
    const pixelValues = new Float32Array(rows.length * size);
    for (const [n, p] of pixels.entries()) pixelValues.set(p, n * size);
    return { pixelValues, pixelShape: [rows.length, 3, side, side], captions: rows.map((row) => row.caption) };
  }

  zeroShot(): undefined {
    return undefined;
  }

  /** Every readable pair of the eval file once, in file order (unreadable images are skipped, so the batches may hold fewer than `size` in all). */
  retrieval(): RetrievalTask | undefined {
    const rows = this.options.eval;
    if (!rows) return undefined;
    const dataset = this;
    async function* batches(batchSize: number): AsyncGenerator<ClipBatch> {
      if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ClipkitError(`evaluation batch size must be an integer >= 1, got ${batchSize}`);
      for (let first = 0; first < rows!.length; first += batchSize) {
        const loaded = await dataset.load(rows!.slice(first, first + batchSize).filter((row) => !dataset.unreadable.has(row.image)));
        if (loaded.rows.length > 0) yield dataset.batch(loaded.rows, loaded.pixels);
      }
    }
    return { size: rows.length, batches: (batchSize) => prefetch(batches(batchSize), this.prefetchDepth) };
  }

  dispose(): Promise<void> {
    return this.options.loader.dispose();
  }
}
