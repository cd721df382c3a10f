import { availableParallelism } from 'node:os';
import type { ClipImageTransformOptions } from '@clipkit/images';
import { WorkerPool } from '@clipkit/images';
import type { PreparedBatch, PrepareFile, PrepareRequest } from './prepare-images.js';

/** The compiled worker script beside this module. */
const PREPARE_WORKER = new URL('./prepare-images-worker.js', import.meta.url);

/** One worker per core but one, at least one and at most 4: the model's own threads need the rest. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** Worker threads that read, hash, decode and preprocess images for one model's preprocessing. */
export class PreparePool {
  private readonly pool: WorkerPool<PrepareRequest, PreparedBatch | Float32Array>;

  constructor(preprocess: ClipImageTransformOptions, workers: number = defaultWorkerCount(), script: URL = PREPARE_WORKER) {
    this.pool = new WorkerPool(script, preprocess, workers);
  }

  /** A batch of files: their hashes and the pixel values [ok, 3, H, W] of those that decoded. */
  files(files: readonly PrepareFile[]): Promise<PreparedBatch> {
    return this.pool.request({ files }) as Promise<PreparedBatch>;
  }

  /** One image's bytes -> its pixel values [3, H, W]. */
  bytes(bytes: Uint8Array): Promise<Float32Array> {
    return this.pool.request({ bytes }) as Promise<Float32Array>;
  }

  dispose(): Promise<void> {
    return this.pool.dispose();
  }
}
