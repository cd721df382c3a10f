import { type ClipBatch, type ClipDataset, ClipkitError, type DataPosition, type PreprocessConfig, type ZeroShotTask } from '@clipkit/core';
import { orderedBatches } from '../common/ordered-batches.js';
import { prefetch } from '../common/prefetch.js';
import { SHAPE_TEMPLATES } from './shape-caption.js';
import type { ShapeRenderer } from './shape-renderer.js';
import { SHAPES } from './shape-vocabulary.js';

/**
 * An endless stream of generated shape images with captions. Positions count batches (the epoch stays 0):
 * batch b holds training scenes [bB, bB + B), each drawn from its own generator, so a resumed run draws
 * exactly what an uninterrupted one would have.
 */
export class SyntheticShapesDataset implements ClipDataset {
  readonly skipped = 0;

  constructor(
    private readonly renderer: ShapeRenderer,
    /** Images in the zero-shot task. */
    private readonly evalSize: number,
    /** Batches produced ahead of the consumer. */
    private readonly prefetchDepth = 2,
  ) {}

  get preprocess(): PreprocessConfig {
    return this.renderer.preprocess;
  }

  batchesPerEpoch(): null {
    return null;
  }

  trainBatches(options: { batchSize: number; start: DataPosition }): AsyncIterable<{ batch: ClipBatch; next: DataPosition }> {
    const { batchSize, start } = options;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ClipkitError(`synthetic-shapes: batch size must be an integer >= 1, got ${batchSize}`);
    if (start.epoch !== 0 || !Number.isSafeInteger(start.batch) || start.batch < 0) {
      throw new ClipkitError(`synthetic-shapes: the stream is endless, so positions have epoch 0 and count batches; got ${JSON.stringify(start)}`);
    }
    return prefetch(this.stream(batchSize, start.batch), this.prefetchDepth);
  }

  private async *stream(batchSize: number, from: number): AsyncGenerator<{ batch: ClipBatch; next: DataPosition }> {
    for (let b = from; ; b++) {
      const batch = await this.renderer.render({ stream: 'train', first: b * batchSize, count: batchSize });
      yield { batch, next: { epoch: 0, batch: b + 1 } };
    }
  }

  /** Shape classification of held-out (shape, colour) combinations, classes in turn. */
  zeroShot(): ZeroShotTask {
    return {
      classNames: SHAPES,
      templates: SHAPE_TEMPLATES,
      size: this.evalSize,
      batches: (batchSize) =>
        prefetch(
          orderedBatches(this.evalSize, batchSize, (first, count) => this.renderer.render({ stream: 'eval', first, count })),
          this.prefetchDepth,
        ),
    };
  }

  retrieval(): undefined {
    return undefined;
  }

  dispose(): Promise<void> {
    return this.renderer.dispose();
  }
}
