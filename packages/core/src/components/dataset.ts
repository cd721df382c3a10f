import type { PreprocessConfig } from '../config/clip-config.js';

/** Matching image-caption pairs: row i of the pixels goes with caption i. */
export interface ClipBatch {
  /** CLIP-normalised pixel values, row-major [N, 3, H, W]. */
  pixelValues: Float32Array;
  /** [N, 3, H, W] */
  pixelShape: [number, number, number, number];
  /** N captions. */
  captions: string[];
  /** Class index of each sample, for labelled data (zero-shot evaluation). */
  labels?: Int32Array;
}

/**
 * Where a training stream stands: the epoch and the number of batches already taken from it. Starting
 * a stream at a position yields exactly the batches an uninterrupted run would have seen from there.
 */
export interface DataPosition {
  epoch: number;
  batch: number;
}

/** Zero-shot classification: images with labels, class names and prompt templates. */
export interface ZeroShotTask {
  readonly classNames: readonly string[];
  /** Prompt templates with `{}` where the class name goes, e.g. "a photo of a {}.". */
  readonly templates: readonly string[];
  /** Number of images. */
  readonly size: number;
  /** Every image once, in order, with `labels` set. */
  batches(batchSize: number): AsyncIterable<ClipBatch>;
}

/** Image-text retrieval: image i matches caption i. */
export interface RetrievalTask {
  readonly size: number;
  batches(batchSize: number): AsyncIterable<ClipBatch>;
}

/**
 * A source of training pairs and of evaluation tasks. Implementations load ahead of the consumer (the
 * training step is synchronous CPU work), so the step never waits for data.
 */
export interface ClipDataset {
  /** Batches in one epoch at this batch size (the last partial batch is dropped); null for endless generated data. */
  batchesPerEpoch(batchSize: number): number | null;
  /** Training batches from `start` on, in an order fixed by the seed; each comes with the position after it. */
  trainBatches(options: { batchSize: number; start: DataPosition }): AsyncIterable<{ batch: ClipBatch; next: DataPosition }>;
  /** The held-out zero-shot task, for data with classes. */
  zeroShot(): ZeroShotTask | undefined;
  /** The held-out retrieval task, for image-text data. */
  retrieval(): RetrievalTask | undefined;
  /** Samples skipped so far because they could not be read (corrupt or missing images). */
  readonly skipped: number;
  /**
   * The transform its images go through (without the training augmentation): the config's `preprocess`, or
   * the dataset's own when that is null. Checkpoints record it, so image files are served exactly as the data
   * was. Absent: OpenAI CLIP's at the model's image size.
   */
  readonly preprocess?: PreprocessConfig;
  dispose(): void | Promise<void>;
}
