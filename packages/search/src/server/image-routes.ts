import type { FastifyInstance } from 'fastify';
import type { ImageFiles } from './indexed-image-files.js';

/** GET /api/images/:id (the record), /api/images/:id/thumbnail (WebP) and /api/images/:id/file (the original). */
export function registerImageRoutes(app: FastifyInstance, files: ImageFiles): void {
  app.get<{ Params: { id: string } }>('/api/images/:id', async (request) => {
    const { id, path, width, height, size } = await files.record(request.params.id);
    return { id, path, width, height, size };
  });

  app.get<{ Params: { id: string } }>('/api/images/:id/thumbnail', async (request, reply) => {
    const { record, thumbnail } = await files.thumbnail(request.params.id);
    return reply.type('image/webp').header('cache-control', 'private, max-age=3600').header('etag', `"${record.hash}"`).send(thumbnail);
  });

  app.get<{ Params: { id: string } }>('/api/images/:id/file', async (request, reply) => {
    const { type, stream } = await files.original(request.params.id);
    return reply.type(type).header('content-security-policy', "default-src 'none'").send(stream);
  });
}
