import { workerData } from 'node:worker_threads';
import { serveWorkerRequests } from '@clipkit/images';
import type { SearchEmbedder } from './search-embedder.js';
import type { EmbedderDescription, EmbedderRequest } from './worker-embedder.js';

// Worker entry of workerEmbedder: builds the embedder from the caller's module, then embeds on request.
const { module, options } = workerData as { module: string; options: unknown };
const made: Promise<SearchEmbedder> = import(module).then((m: { createEmbedder?: (options: unknown) => Promise<SearchEmbedder> }) => {
  if (typeof m.createEmbedder !== 'function') throw new Error(`${module} does not export createEmbedder(options)`);
  return m.createEmbedder(options);
});

serveWorkerRequests<EmbedderRequest, EmbedderDescription | Float32Array>(async (request) => {
  const embedder = await made;
  if ('describe' in request) {
    const { modelId, embedDim, logitScale, logitBias, preprocess } = embedder;
    return { result: { modelId, embedDim, logitScale, logitBias, preprocess }, transfer: [] };
  }
  const rows = 'texts' in request ? await embedder.embedTexts(request.texts) : await embedder.embedPixels(request.pixels, request.shape);
  // A view into a larger buffer (or a buffer the model keeps) is copied; a whole array of its own is moved.
  const own = rows.byteOffset === 0 && rows.byteLength === rows.buffer.byteLength ? rows : rows.slice();
  return { result: own, transfer: [own.buffer as ArrayBuffer] };
});
