// The entry stays cheap to import: LanceDB, Fastify, sharp and tfjs load on first use, inside the
// functions below, so a CLI that imports this package pays for them only in the commands that search.
import type { ClipModelEmbedderOptions } from './clip-model-embedder.js';
import type { ImageIndex, OpenImageIndexOptions } from './index/image-index.js';
import type { IndexMetadata } from './index/index-metadata.js';
import type { IndexImagesOptions, IndexReport } from './pipeline/index-images.js';
import type { ImageSearch, ImageSearchOptions } from './search/image-search.js';
import type { SearchEmbedder } from './search-embedder.js';
import type { CreateSearchServerOptions } from './server/search-server.js';
import type { RunningSearchServer, StartSearchServerOptions } from './server/start-search-server.js';
import type { WorkerSearchEmbedder } from './worker-embedder.js';

export type { ClipModelEmbedderOptions } from './clip-model-embedder.js';
export { SearchIndexError, SearchRequestError } from './errors.js';
export { APPROXIMATE_MIN_ROWS, APPROXIMATE_QUERY } from './index/approximate-index.js';
export { imageId } from './index/image-id.js';
export type { ImageIndex, NearestOptions, Neighbour, OpenImageIndexOptions } from './index/image-index.js';
export type { ImageRecord, ImageRow } from './index/image-row.js';
export type { IndexMetadata } from './index/index-metadata.js';
export { modelDirectoryId } from './model-directory-id.js';
export type { IndexImagesOptions, IndexReport } from './pipeline/index-images.js';
export type { IndexProgress } from './pipeline/index-progress.js';
export { IMAGE_EXTENSIONS, type SkippedFile } from './scan/scan-images.js';
export type { ImageSearch, ImageSearchOptions, SearchOptions, SearchResult } from './search/image-search.js';
export { checkEmbeddings, describeModel, type IndexedModel, matchProbability, type SearchEmbedder } from './search-embedder.js';
export type { CreateSearchServerOptions } from './server/search-server.js';
export { DEFAULT_LIMITS, type SearchServerLimits } from './server/search-server-limits.js';
export type { RunningSearchServer, StartSearchServerOptions } from './server/start-search-server.js';
export type { WorkerSearchEmbedder } from './worker-embedder.js';

/** Opens an existing image index (LanceDB folder); with `options.model`, refuses one built with another model. */
export async function openImageIndex(dbPath: string, options?: OpenImageIndexOptions): Promise<ImageIndex> {
  const { ImageIndex } = await import('./index/image-index.js');
  return ImageIndex.open(dbPath, options);
}

/**
 * Opens the index at `dbPath` for writing rows of `metadata.root` made with `metadata.model`, creating it
 * when absent (indexImages does this; for tools that write rows themselves, e.g. benchmarks or shards).
 */
export async function openImageIndexForWriting(dbPath: string, metadata: IndexMetadata): Promise<ImageIndex> {
  const { ImageIndex } = await import('./index/image-index.js');
  return ImageIndex.openForWriting(dbPath, metadata);
}

/** Indexes a folder of images into an index, incrementally (`clipkit index DIR --model REF --db PATH`). */
export async function indexImages(options: IndexImagesOptions): Promise<IndexReport> {
  const { indexImages } = await import('./pipeline/index-images.js');
  return indexImages(options);
}

/** Opens an index for searching with `embedder` (`clipkit search`); refuses an index built with another model. close() closes the index. */
export async function openImageSearch(dbPath: string, embedder: SearchEmbedder, options?: ImageSearchOptions): Promise<ImageSearch> {
  const [{ ImageIndex }, { ImageSearch }] = await Promise.all([import('./index/image-index.js'), import('./search/image-search.js')]);
  const { describeModel } = await import('./search-embedder.js');
  const index = await ImageIndex.open(dbPath, { model: describeModel(embedder) });
  return new ImageSearch(index, embedder, options);
}

/** The Fastify app of the search server, not listening (for `inject` or a custom listen). */
export async function createSearchServer(options: CreateSearchServerOptions): Promise<Awaited<ReturnType<typeof import('./server/search-server.js').createSearchServer>>> {
  const { createSearchServer } = await import('./server/search-server.js');
  return createSearchServer(options);
}

/** Serves an index: the web page and the JSON API (`clipkit serve --db PATH --model REF`), on 127.0.0.1:8080 by default. */
export async function startSearchServer(options: StartSearchServerOptions): Promise<RunningSearchServer> {
  const { startSearchServer } = await import('./server/start-search-server.js');
  return startSearchServer(options);
}

/**
 * An embedder on its own worker thread (for `clipkit serve`: a tfjs model computes on the thread that calls
 * it, which would hold up every other request). `module` exports `createEmbedder(options)`.
 */
export async function workerEmbedder(module: URL | string, options?: unknown): Promise<WorkerSearchEmbedder> {
  const { workerEmbedder } = await import('./worker-embedder.js');
  return workerEmbedder(module, options);
}

/** A loaded clipkit model (ClipModel + tokenizer, any runtime) as a SearchEmbedder. */
export async function clipModelEmbedder(options: ClipModelEmbedderOptions): Promise<SearchEmbedder> {
  const { clipModelEmbedder } = await import('./clip-model-embedder.js');
  return clipModelEmbedder(options);
}
