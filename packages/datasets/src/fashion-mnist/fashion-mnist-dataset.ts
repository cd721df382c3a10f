import { type ClipBatch, type ClipDataset, type DataPosition, fillTemplate, type SeededRandom, type ZeroShotTask } from '@clipkit/core';
import { dataRandom, epochRandom } from '../common/data-random.js';
import { dropLastBatches, epochBatches } from '../common/epoch-batches.js';
import { orderedBatches } from '../common/ordered-batches.js';
import { prefetch } from '../common/prefetch.js';
import { fashionMnistPixels } from './fashion-mnist-pixels.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_IMAGE_SIZE, FASHION_MNIST_TEMPLATES } from './fashion-mnist-recipe.js';
import type { FashionMnist, FashionMnistSplit } from './load-fashion-mnist.js';

const NAME = 'fashion-mnist';

/** The recipe's caption for a class and template index: the template filled with the class name. */
export function fashionMnistCaption(label: number, template: number): string {
  return fillTemplate(FASHION_MNIST_TEMPLATES[template], FASHION_MNIST_CLASSES[label]);
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
  private readonly data: SeededRandom;
  private plan: EpochPlan | undefined;

  constructor(
    private readonly mnist: FashionMnist,
    seed: number,
    /** Batches produced ahead of the consumer. */
    private readonly prefetchDepth = 2,
  ) {
    this.data = dataRandom(seed);
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
    return this.batch(this.mnist.train, indices, captions, labels);
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

  private batch(split: FashionMnistSplit, indices: Int32Array, captions: string[], labels: Int32Array): ClipBatch {
    const side = FASHION_MNIST_IMAGE_SIZE;
    return { pixelValues: fashionMnistPixels(split.images, indices), pixelShape: [indices.length, 3, side, side], captions, labels };
  }
}
