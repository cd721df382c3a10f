import { availableParallelism } from 'node:os';
import type { ClipImageTransform, PixelValues } from './clip-image-transform.js';
import { WorkerPool } from './worker-pool.js';

/** The compiled worker script beside this module. */
const PREPROCESS_WORKER = new URL('./preprocess-images-worker.js', import.meta.url);

/** One worker per core but one, at least one and at most 4: the model's own threads need the rest. */
export function defaultImageWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * Decodes and preprocesses batches of image files on worker threads, so a model can run on the main thread (or
 * onnxruntime's) meanwhile: ask for the next batches before the current one is embedded. Same pixels as
 * `transform.toPixelValues` on the calling thread.
 */
export class ImagePreprocessPool {
  private readonly pool: WorkerPool<readonly string[], Float32Array>;
  private readonly shape: readonly [number, number, number];

  /** `script` is the worker's compiled module (tests run the sources, so they pass the built one). */
  constructor(transform: ClipImageTransform, workers: number = defaultImageWorkers(), script: URL = PREPROCESS_WORKER) {
    this.pool = new WorkerPool(script, transform.options, workers);
    this.shape = [3, transform.height, transform.width];
  }

  /** The files' pixel values [N, 3, H, W]; a file that cannot be decoded rejects with decodeImage's error. */
  async pixelValues(files: readonly string[]): Promise<PixelValues> {
    const data = await this.pool.request(files);
    return { data, shape: [files.length, ...this.shape] };
  }

  dispose(): Promise<void> {
    return this.pool.dispose();
  }
}
