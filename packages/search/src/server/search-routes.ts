import type { FastifyInstance } from 'fastify';
import { SearchRequestError } from '../errors.js';
import type { ImageSearch } from '../search/image-search.js';
import type { SearchServerLimits } from './search-server-limits.js';
import { checkUpload } from './upload-check.js';

type Query = { k: number; exact: boolean };

/** POST /api/search/text, /api/search/image and /api/search/similar: `{ results }`, best first. */
export function registerSearchRoutes(app: FastifyInstance, search: ImageSearch, limits: SearchServerLimits): void {
  // Fastify's request.signal also aborts once a request's body has been read (Node's IncomingMessage 'close'),
  // so queued queries get a signal of their own that aborts with the handler timeout.
  const deadline = () => AbortSignal.timeout(limits.requestTimeoutMs);
  const k = { type: 'integer', minimum: 1, maximum: limits.maxResults, default: Math.min(24, limits.maxResults) };
  const exact = { type: 'boolean', default: false };

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
}
