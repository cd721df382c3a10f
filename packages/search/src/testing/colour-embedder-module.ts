import type { SearchEmbedder } from '../search-embedder.js';
import { ColourEmbedder, type ColourEmbedderOptions } from './colour-embedder.js';

/** The colour embedder as a module for workerEmbedder. */
export async function createEmbedder(options: ColourEmbedderOptions): Promise<SearchEmbedder> {
  return new ColourEmbedder(options);
}
