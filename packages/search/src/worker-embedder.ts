import type { ClipImageTransformOptions } from '@clipkit/images';
import { WorkerPool } from '@clipkit/images';
import type { SearchEmbedder } from './search-embedder.js';

/** The compiled worker script beside this module. */
const EMBEDDER_WORKER = new URL('./embedder-worker.js', import.meta.url);

/** What the worker's embedder is, sent once when it is ready. */
export interface EmbedderDescription {
  readonly modelId: string;
  readonly embedDim: number;
  readonly logitScale: number;
  readonly logitBias: number | null;
  readonly preprocess: ClipImageTransformOptions;
}

export type EmbedderRequest =
  | { readonly describe: true }
  | { readonly pixels: Float32Array; readonly shape: readonly [number, number, number, number] }
  | { readonly texts: readonly string[] };

/** A SearchEmbedder whose model runs on a worker thread; dispose() stops the thread. */
export interface WorkerSearchEmbedder extends SearchEmbedder {
  dispose(): Promise<void>;
}

/**
 * Runs an embedder on its own worker thread, so that a model whose backend computes on the calling thread
 * (tfjs, including the blas backend) does not hold up the server's event loop: while a batch is embedded,
 * thumbnails, "more like this" and health checks are still answered. `module` is imported in the worker
 * and must export `createEmbedder(options): Promise<SearchEmbedder>`; `options` must be structured-cloneable
 * (a model directory, a backend name, ...).
 */
export async function workerEmbedder(module: URL | string, options?: unknown, script: URL = EMBEDDER_WORKER): Promise<WorkerSearchEmbedder> {
  const pool = new WorkerPool<EmbedderRequest, EmbedderDescription | Float32Array>(script, { module: String(module), options }, 1);
  try {
    const description = (await pool.request({ describe: true })) as EmbedderDescription;
    return {
      ...description,
      embedPixels: (pixels, shape) => pool.request({ pixels, shape }) as Promise<Float32Array>,
      embedTexts: (texts) => pool.request({ texts }) as Promise<Float32Array>,
      dispose: () => pool.dispose(),
    };
  } catch (error) {
    await pool.dispose();
    throw error;
  }
}
