import { ClipkitError } from '@clipkit/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { SearchRequestError } from '../errors.js';
import type { ImageIndex } from '../index/image-index.js';
import { ImageSearch, inThreadImagePreparer } from '../search/image-search.js';
import type { SearchEmbedder } from '../search-embedder.js';
import { registerImageRoutes } from './image-routes.js';
import { indexedImageFiles } from './indexed-image-files.js';
import { answerErrorsAsJson } from './json-errors.js';
import { registerSearchRoutes } from './search-routes.js';
import { DEFAULT_LIMITS, type SearchServerLimits } from './search-server-limits.js';
import { ThumbnailCache } from './thumbnail-cache.js';
import { CONTENT_SECURITY_POLICY, readWebPage } from './web-page.js';

export interface CreateSearchServerOptions {
  readonly index: ImageIndex;
  readonly embedder: SearchEmbedder;
  /** Image bytes -> pixel values [3, H, W] (startSearchServer: on a worker thread). Default: on the server's thread. */
  readonly prepareImage?: (bytes: Uint8Array) => Promise<Float32Array>;
  readonly limits?: Partial<SearchServerLimits>;
  /** Receives unexpected errors (500s). Default: console.error. */
  readonly log?: (message: string) => void;
}

/**
 * The search server (Fastify): the web page at /, and a JSON API. Files are reached only through the index
 * (an image id names a row, the row names the file), never through a path taken from a request.
 *
 * - GET  /api/health                                   rows, model, whether search is approximate
 * - POST /api/search/text      {text, k?, exact?}      images matching a text
 * - POST /api/search/image?k=  body: PNG/JPEG/WebP     images like the uploaded one
 * - POST /api/search/similar   {id, k?, exact?}        images like an indexed one ("more like this")
 * - GET  /api/images/:id       its record; /thumbnail a WebP thumbnail; /file the original file
 *
 * Errors are `{statusCode, error, message}` with a 4xx status for a bad request, 503 for a timeout.
 */
export async function createSearchServer(options: CreateSearchServerOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { index, embedder } = options;
  const log = options.log ?? ((message: string) => console.error(message));
  const search = new ImageSearch(index, embedder, {
    maxBatch: limits.maxBatch,
    prepareImage: wrapDecodeErrors(options.prepareImage ?? inThreadImagePreparer(index.model.preprocess)),
  });
  const page = await readWebPage();

  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024, // JSON bodies; uploads have their own limit
    handlerTimeout: limits.requestTimeoutMs,
    requestTimeout: limits.requestTimeoutMs, // receiving the request (a slow upload)
    routerOptions: { maxParamLength: 200 },
  });
  for (const type of ['application/octet-stream', /^image\//]) app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  answerErrorsAsJson(app, limits.requestTimeoutMs, log);
  for (const file of page) {
    app.get(file.route, (_request, reply) => reply.header('content-security-policy', CONTENT_SECURITY_POLICY).type(file.type).send(file.body));
  }
  app.get('/api/health', async () => ({
    status: 'ok',
    images: await index.count(),
    approximate: await index.isApproximate(),
    model: { id: index.model.id, embedDim: index.model.embedDim, ref: index.model.ref },
  }));
  registerSearchRoutes(app, search, limits);
  registerImageRoutes(app, indexedImageFiles(index, new ThumbnailCache(limits.thumbnailCacheBytes), limits.thumbnailSize));
  return app;
}

/** Upload decoding failures (corrupt or truncated data) are the request's fault: 400, not 500. */
function wrapDecodeErrors(prepare: (bytes: Uint8Array) => Promise<Float32Array>): (bytes: Uint8Array) => Promise<Float32Array> {
  return async (bytes) => {
    try {
      return await prepare(bytes);
    } catch (error) {
      if (error instanceof ClipkitError) throw new SearchRequestError(400, error.message.replace(/^image buffer \(\d+ bytes\): /, 'the uploaded image: '), { cause: error });
      throw error;
    }
  };
}
