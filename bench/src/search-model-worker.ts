import type { SearchEmbedder } from '@clipkit/search';
import { randomSearchEmbedder, type SearchModelName } from './search-model.js';

/** The random search models as a module for workerEmbedder: the model runs on the worker thread that imports this. */
export async function createEmbedder(options: { name: SearchModelName }): Promise<SearchEmbedder> {
  return (await randomSearchEmbedder(options.name)).embedder;
}
