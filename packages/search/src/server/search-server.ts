import { STATUS_CODES } from 'node:http';
import { ClipkitError } from '@clipkit/core';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { SearchRequestError } from '../errors.js';
import type { ImageIndex } from '../index/image-index.js';
import type { ImageRecord } from '../index/image-row.js';
import { ImageSearch, inThreadImagePreparer } from '../search/image-search.js';
import type { SearchEmbedder } from '../search-embedder.js';
import { type ImageFiles, indexedImageFiles } from './indexed-image-files.js';
import { DEFAULT_LIMITS, type SearchServerLimits } from './search-server-limits.js';
import { ThumbnailCache } from './thumbnail-cache.js';
import { checkUpload } from './upload-check.js';
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

/** A JSON error body: `{ statusCode, error, message }`. */
function errorBody(statusCode: number, message: string) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

function statusOf(error: FastifyError | Error): number {
  if (error instanceof SearchRequestError) return error.statusCode;
  const status = (error as FastifyError).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function publicRecord(record: ImageRecord) {
  const { id, path, width, height, size } = record;
  return { id, path, width, height, size };
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
  const files: ImageFiles = indexedImageFiles(index, new ThumbnailCache(limits.thumbnailCacheBytes), limits.thumbnailSize);
  const page = await readWebPage();

  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024, // JSON bodies; uploads have their own limit
    handlerTimeout: limits.requestTimeoutMs,
    requestTimeout: limits.requestTimeoutMs, // receiving the request (a slow upload)
    routerOptions: { maxParamLength: 200 },
  });
  for (const type of ['application/octet-stream', /^image\//]) app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = statusOf(error);
    let message = error.message;
    if (error.code === 'FST_ERR_HANDLER_TIMEOUT') message = `no answer within ${limits.requestTimeoutMs} ms (the model is busy); try again`;
    else if (status >= 500) {
      log(`clipkit search server: ${request.method} ${request.url}: ${error.stack ?? error.message}`);
      message = 'internal error; the server log has the details';
    }
    void reply.status(status).send(errorBody(status, message));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody(404, `no ${request.method} ${request.url.slice(0, 100)} here: the page is at /, the API under /api (see GET /api/health)`));
  });

  for (const file of page) {
    app.get(file.route, (_request, reply) => reply.header('content-security-policy', CONTENT_SECURITY_POLICY).type(file.type).send(file.body));
  }

  // Fastify's request.signal also aborts when a request's body has been read (Node's IncomingMessage 'close'),
  // so queued queries get a signal of their own that aborts with the handler timeout.
  const deadline = () => AbortSignal.timeout(limits.requestTimeoutMs);
  const k = { type: 'integer', minimum: 1, maximum: limits.maxResults, default: Math.min(24, limits.maxResults) };
  const exact = { type: 'boolean', default: false };
  type Query = { k: number; exact: boolean };

  app.get('/api/health', async () => ({
    status: 'ok',
    images: await index.count(),
    approximate: await index.isApproximate(),
    model: { id: index.model.id, embedDim: index.model.embedDim, ref: index.model.ref },
  }));

  app.post<{ Body: { text: string } & Query }>(
    '/api/search/text',
    { schema: { body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', maxLength: limits.maxTextLength }, k, exact } } } },
    async (request) => ({ results: await search.byText(request.body.text, { ...request.body, signal: deadline() }) }),
  );

  app.post<{ Querystring: Query }>(
    '/api/search/image',
    { bodyLimit: limits.maxUploadBytes, schema: { querystring: { type: 'object', additionalProperties: false, properties: { k, exact } } } },
    async (request) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.byteLength === 0)
        throw new SearchRequestError(415, 'send the image file itself as the body, with content-type image/png, image/jpeg, image/webp or application/octet-stream');
      await checkUpload(body, limits.maxImagePixels);
      return { results: await search.byImage(body, { ...request.query, signal: deadline() }) };
    },
  );

  app.post<{ Body: { id: string } & Query }>(
    '/api/search/similar',
    { schema: { body: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string' }, k, exact } } } },
    async (request) => ({ results: await search.byId(request.body.id, { ...request.body, signal: deadline() }) }),
  );

  app.get<{ Params: { id: string } }>('/api/images/:id', async (request) => publicRecord(await files.record(request.params.id)));

  app.get<{ Params: { id: string } }>('/api/images/:id/thumbnail', async (request, reply) => {
    const { record, thumbnail } = await files.thumbnail(request.params.id);
    return reply.type('image/webp').header('cache-control', 'private, max-age=3600').header('etag', `"${record.hash}"`).send(thumbnail);
  });

  app.get<{ Params: { id: string } }>('/api/images/:id/file', async (request, reply) => {
    const { type, stream } = await files.original(request.params.id);
    return reply.type(type).header('content-security-policy', "default-src 'none'").send(stream);
  });

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
