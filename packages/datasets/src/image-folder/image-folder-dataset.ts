import { type ClipBatch, type ClipDataset, type DataPosition, fillTemplate, type PreprocessConfig, type SeededRandom, type ZeroShotTask } from '@clipkit/core';
import { dataRandom, epochRandom } from '../common/data-random.js';
import { dropLastBatches, epochBatches } from '../common/epoch-batches.js';
import { ImageFiles, type LoadedRows, stackPixels } from '../common/image-files.js';
import type { ImageLoader } from '../common/image-loader.js';
import { prefetch } from '../common/prefetch.js';
import type { ImageFolder, LabelledImage } from './read-image-folder.js';

const NAME = 'image-folder';

export interface ImageFolderDatasetOptions {
  /** The training images. */
  readonly train: ImageFolder;
  /** The zero-shot evaluation images; undefined: no evaluation. */
  readonly eval: ImageFolder | undefined;
  /** Prompt templates with {} for the class name, for captions and for the zero-shot classifier. */
  readonly templates: readonly string[];
  /** Side of the model's input images. */
  readonly imageSize: number;
  /** The transform the loader applies. */
  readonly preprocess: PreprocessConfig;
  /** train.seed: each epoch's order and templates. */
  readonly seed: number;
  readonly loader: ImageLoader;
  readonly log: (message: string) => void;
  /** Batches produced ahead of the consumer. Default 2. */
  readonly prefetchDepth?: number;
}

/** One epoch's sample order and the template of each position in it. */
interface EpochPlan {
  readonly epoch: number;
  readonly order: Int32Array;
  readonly templates: Uint16Array;
}

/**
 * Labelled image folders for CLIP training and zero-shot evaluation. Each epoch draws a permutation of the
 * training images and then a template per position (the Fashion-MNIST recipe's scheme), and captions each
 * image with its template filled with its class name; batch b starts at position bB and takes the next
 * readable images (see ImageFiles). The zero-shot task classifies the evaluation folder's images among its
 * classes with the same templates.
 */
export class ImageFolderDataset implements ClipDataset {
  readonly preprocess: PreprocessConfig;
  private readonly files: ImageFiles<LabelledImage>;
  private readonly data: SeededRandom;
  private readonly prefetchDepth: number;
  private plan: EpochPlan | undefined;

  constructor(private readonly options: ImageFolderDatasetOptions) {
    this.preprocess = options.preprocess;
    this.files = new ImageFiles(NAME, options.loader, options.log);
    this.data = dataRandom(options.seed);
    this.prefetchDepth = options.prefetchDepth ?? 2;
  }

  get skipped(): number {
    return this.files.skipped;
  }

  batchesPerEpoch(batchSize: number): number {
    return dropLastBatches(this.options.train.images.length, batchSize, NAME);
  }

  trainBatches(options: { batchSize: number; start: DataPosition }): AsyncIterable<{ batch: ClipBatch; next: DataPosition }> {
    const { batchSize, start } = options;
    const perEpoch = this.batchesPerEpoch(batchSize);
    const { images, classNames } = this.options.train;
    return prefetch(
      epochBatches(perEpoch, start, NAME, async ({ epoch, batch }) => {
        const plan = this.epochPlan(epoch);
        const loaded = await this.files.fill(images, plan.order, epoch, batch * batchSize, batchSize);
        return this.batch(loaded, (row, position) => fillTemplate(this.options.templates[plan.templates[position]], classNames[row.label]));
      }),
      this.prefetchDepth,
    );
  }

  /** The order and templates of `epoch`: a permutation of the images, then a template index per position. */
  epochPlan(epoch: number): EpochPlan {
    if (this.plan?.epoch !== epoch) {
      const rng = epochRandom(this.data, epoch);
      const count = this.options.train.images.length;
      const order = rng.permutation(count);
      const templates = Uint16Array.from({ length: count }, () => rng.int(this.options.templates.length));
      this.plan = { epoch, order, templates };
    }
    return this.plan;
  }

  private batch(loaded: LoadedRows<LabelledImage>, caption: (row: LabelledImage, position: number) => string): ClipBatch {
    const { rows, pixels, positions } = loaded;
    const side = this.options.imageSize;
    return {
      pixelValues: stackPixels(pixels, side),
      pixelShape: [rows.length, 3, side, side],
      captions: rows.map((row, n) => caption(row, positions[n])),
      labels: Int32Array.from(rows, (row) => row.label),
    };
  }

  /** Every readable image of the evaluation folder once, class after class (unreadable ones are skipped and counted). */
  zeroShot(): ZeroShotTask | undefined {
    const folder = this.options.eval;
    if (!folder) return undefined;
    const { templates } = this.options;
    const dataset = this;
    async function* batches(batchSize: number): AsyncGenerator<ClipBatch> {
      for await (const loaded of dataset.files.inOrder(folder!.images, batchSize)) {
        yield dataset.batch(loaded, (row) => fillTemplate(templates[0], folder!.classNames[row.label]));
      }
    }
    return { classNames: folder.classNames, templates, size: folder.images.length, batches: (batchSize) => prefetch(batches(batchSize), this.prefetchDepth) };
  }

  retrieval(): undefined {
    return undefined;
  }

  dispose(): Promise<void> {
    return this.files.dispose();
  }
}
