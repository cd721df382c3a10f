import { type ClipBatch, type ClipDataset, type DataPosition, fillTemplate, type PreprocessConfig, type SeededRandom, type ZeroShotTask } from '@clipkit/core';
import type { RgbImage } from '@clipkit/images';
import type { AugmentConfig } from '../common/augment-schema.js';
import { dataRandom, epochRandom } from '../common/data-random.js';
import { dropLastBatches, epochBatches } from '../common/epoch-batches.js';
import { augmentKey, ImagePipeline } from '../common/image-pipeline.js';
import { orderedBatches } from '../common/ordered-batches.js';
import { prefetch } from '../common/prefetch.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_IMAGE_SIZE, FASHION_MNIST_PREPROCESS, FASHION_MNIST_SOURCE_SIZE, FASHION_MNIST_TEMPLATES } from './fashion-mnist-recipe.js';
import type { FashionMnist, FashionMnistSplit } from './load-fashion-mnist.js';

const NAME = 'fashion-mnist';

/** The recipe's caption for a class and template index: the template filled with the class name. */
export function fashionMnistCaption(label: number, template: number): string {
  return fillTemplate(FASHION_MNIST_TEMPLATES[template], FASHION_MNIST_CLASSES[label]);
}

/** Image `index` of a split as decodeImage gives a greyscale PNG of it: each grey byte in three channels. */
export function fashionMnistImage(split: FashionMnistSplit, index: number): RgbImage {
  const side = FASHION_MNIST_SOURCE_SIZE;
  const grey = split.images.subarray(index * side * side, (index + 1) * side * side);
  const data = new Uint8Array(side * side * 3);
  for (let i = 0; i < grey.length; i++) data.fill(grey[i], i * 3, i * 3 + 3);
  return { width: side, height: side, data };
}

export interface FashionMnistDatasetOptions {
  /** The image transform. Default the recipe's (FASHION_MNIST_PREPROCESS: padded to 32, its own mean and std). */
  readonly preprocess?: PreprocessConfig;
  /** The model's input side. Default 32. */
  readonly imageSize?: number;
  /** open_clip's training augmentation; null: none. Default null. */
  readonly augment?: AugmentConfig | null;
  /** Batches produced ahead of the consumer. Default 2. */
  readonly prefetchDepth?: number;
}

/** One epoch's sample order and the template of each position in it. */
interface EpochPlan {
  readonly epoch: number;
  readonly order: Int32Array;
  readonly templates: Uint8Array;
}

/**
 * Fashion-MNIST for CLIP training, as the recipe: at the start of each epoch the data generator draws a
 * permutation of the training images and then a template for each position; batch b takes positions
 * [bB, bB + B), and the last partial batch is dropped.
 */
export class FashionMnistDataset implements ClipDataset {
  readonly skipped = 0;
  readonly preprocess: PreprocessConfig;
  private readonly data: SeededRandom;
  private readonly pipeline: ImagePipeline;
  private readonly prefetchDepth: number;
  private plan: EpochPlan | undefined;

  constructor(
    private readonly mnist: FashionMnist,
    seed: number,
    options: FashionMnistDatasetOptions = {},
  ) {
    this.data = dataRandom(seed);
    this.preprocess = options.preprocess ?? FASHION_MNIST_PREPROCESS;
    const imageSize = options.imageSize ?? FASHION_MNIST_IMAGE_SIZE;
    this.pipeline = new ImagePipeline({ preprocess: this.preprocess, imageSize, augment: options.augment ?? null, augmentKey: augmentKey(this.data) });
    this.prefetchDepth = options.prefetchDepth ?? 2;
  }

  batchesPerEpoch(batchSize: number): number {
    return dropLastBatches(this.mnist.train.count, batchSize, NAME);
  }

  trainBatches(options: { batchSize: number; start: DataPosition }): AsyncIterable<{ batch: ClipBatch; next: DataPosition }> {
    const { batchSize, start } = options;
    const perEpoch = this.batchesPerEpoch(batchSize);
    return prefetch(
      epochBatches(perEpoch, start, NAME, async (position) => this.trainBatch(position, batchSize)),
      this.prefetchDepth,
    );
  }

  /** The order and templates of `epoch`: the recipe's `perm = rng.permutation(60000)`, then `tmpl = rng.randint(0, 8, 60000)`. */
  epochPlan(epoch: number): EpochPlan {
    if (this.plan?.epoch !== epoch) {
      const rng = epochRandom(this.data, epoch);
      const count = this.mnist.train.count;
      const order = rng.permutation(count);
      const templates = Uint8Array.from({ length: count }, () => rng.int(FASHION_MNIST_TEMPLATES.length));
      this.plan = { epoch, order, templates };
    }
    return this.plan;
  }

  private trainBatch(position: DataPosition, batchSize: number): ClipBatch {
    const { order, templates } = this.epochPlan(position.epoch);
    const first = position.batch * batchSize;
    const indices = order.subarray(first, first + batchSize);
    const labels = Int32Array.from(indices, (i) => this.mnist.train.labels[i]);
    const captions = Array.from(labels, (label, n) => fashionMnistCaption(label, templates[first + n]));
    return this.batch(this.mnist.train, indices, captions, labels, (image, n, out, offset) => this.pipeline.train(image, position.epoch, first + n, out, offset));
  }

  zeroShot(): ZeroShotTask {
    const test = this.mnist.test;
    return {
      classNames: FASHION_MNIST_CLASSES,
      templates: FASHION_MNIST_TEMPLATES,
      size: test.count,
      batches: (batchSize) =>
        prefetch(
          orderedBatches(test.count, batchSize, async (first, count) => {
            const indices = Int32Array.from({ length: count }, (_, n) => first + n);
            const labels = Int32Array.from(indices, (i) => test.labels[i]);
            return this.batch(
              test,
              indices,
              Array.from(labels, (label) => fashionMnistCaption(label, 0)),
              labels,
              (image, _n, out, offset) => this.pipeline.evaluate(image, out, offset),
            );
          }),
          this.prefetchDepth,
        ),
    };
  }

  retrieval(): undefined {
    return undefined;
  }

  dispose(): void {
    this.plan = undefined;
  }

  /** Images `indices` of a split through `pixels` (sample n of the batch into `out` at `offset`), NCHW. */
  private batch(
    split: FashionMnistSplit,
    indices: Int32Array,
    captions: string[],
    labels: Int32Array,
    pixels: (image: RgbImage, n: number, out: Float32Array<ArrayBuffer>, offset: number) => void,
  ): ClipBatch {
    const side = this.pipeline.options.imageSize;
    const size = this.pipeline.size;
    const pixelValues = new Float32Array(indices.length * size);
    indices.forEach((index, n) => {
      pixels(fashionMnistImage(split, index), n, pixelValues, n * size);
    });
    return { pixelValues, pixelShape: [indices.length, 3, side, side], captions, labels };
  }
}
