import type { ClipBatch, ClipDataset, DataPosition, PreprocessConfig, RetrievalTask, SeededRandom } from '@clipkit/core';
import { dataRandom, epochRandom } from '../common/data-random.js';
import { dropLastBatches, epochBatches } from '../common/epoch-batches.js';
import { ImageFiles, type LoadedRows, stackPixels } from '../common/image-files.js';
import type { ImageLoader } from '../common/image-loader.js';
import { prefetch } from '../common/prefetch.js';
import type { CaptionRow } from './read-caption-table.js';

const NAME = 'image-text';

export interface ImageTextDatasetOptions {
  /** Training pairs, image paths absolute. */
  readonly train: readonly CaptionRow[];
  /** Retrieval pairs, image paths absolute; undefined: no retrieval task. */
  readonly eval: readonly CaptionRow[] | undefined;
  /** Side of the model's input images. */
  readonly imageSize: number;
  /** The transform the loader applies. */
  readonly preprocess: PreprocessConfig;
  /** train.seed: the order of each epoch. */
  readonly seed: number;
  readonly loader: ImageLoader;
  readonly log: (message: string) => void;
  /** Batches produced ahead of the consumer. Default 2. */
  readonly prefetchDepth?: number;
}

/**
 * Image-caption pairs from a folder and a table. Each epoch visits the pairs in a fresh permutation; batch b
 * starts at position bB of it and takes the next readable images (see ImageFiles), so a run resumed at any
 * position sees the same batches as an uninterrupted one.
 */
export class ImageTextDataset implements ClipDataset {
  readonly preprocess: PreprocessConfig;
  private readonly files: ImageFiles<CaptionRow>;
  private readonly data: SeededRandom;
  private readonly prefetchDepth: number;
  private order: { epoch: number; order: Int32Array } | undefined;

  constructor(private readonly options: ImageTextDatasetOptions) {
    this.preprocess = options.preprocess;
    this.files = new ImageFiles(NAME, options.loader, options.log);
    this.data = dataRandom(options.seed);
    this.prefetchDepth = options.prefetchDepth ?? 2;
  }

  get skipped(): number {
    return this.files.skipped;
  }

  batchesPerEpoch(batchSize: number): number {
    return dropLastBatches(this.options.train.length, batchSize, NAME);
  }

  trainBatches(options: { batchSize: number; start: DataPosition }): AsyncIterable<{ batch: ClipBatch; next: DataPosition }> {
    const { batchSize, start } = options;
    const perEpoch = this.batchesPerEpoch(batchSize);
    return prefetch(
      epochBatches(perEpoch, start, NAME, async ({ epoch, batch }) =>
        this.batch(await this.files.fill(this.options.train, this.epochOrder(epoch), epoch, batch * batchSize, batchSize)),
      ),
      this.prefetchDepth,
    );
  }

  private epochOrder(epoch: number): Int32Array {
    if (this.order?.epoch !== epoch) this.order = { epoch, order: epochRandom(this.data, epoch).permutation(this.options.train.length) };
    return this.order.order;
  }

  private batch({ rows, pixels }: LoadedRows<CaptionRow>): ClipBatch {
    const side = this.options.imageSize;
    return { pixelValues: stackPixels(pixels, side), pixelShape: [rows.length, 3, side, side], captions: rows.map((row) => row.caption) };
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
      for await (const loaded of dataset.files.inOrder(rows!, batchSize)) yield dataset.batch(loaded);
    }
    return { size: rows.length, batches: (batchSize) => prefetch(batches(batchSize), this.prefetchDepth) };
  }

  dispose(): Promise<void> {
    return this.files.dispose();
  }
}
