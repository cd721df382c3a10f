import type { SearchEmbedder } from '@clipkit/search';
import { openSearchEmbedder } from '../inference/open-search-embedder.js';

/** What `clipkit serve` passes to its model's worker thread (structured-cloneable). */
export interface ServeEmbedderOptions {
  ref: string;
  backend?: string;
  batchSize: number;
}

/**
 * The worker side of `clipkit serve`'s model (workerEmbedder imports this module on its own thread): tfjs
 * computes on the thread that calls it, so a query being embedded would otherwise hold up every request.
 * The model lives as long as the thread.
 */
export async function createEmbedder(options: ServeEmbedderOptions): Promise<SearchEmbedder> {
  const { embedder } = await openSearchEmbedder(options.ref, { backend: options.backend, batchSize: options.batchSize });
  return embedder;
}
