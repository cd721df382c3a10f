import { workerData } from 'node:worker_threads';
import { ClipImageTransform, type ClipImageTransformOptions, serveWorkerRequests } from '@clipkit/images';
import { type PreparedBatch, type PrepareRequest, prepareImageBytes, prepareImages } from './prepare-images.js';

// Worker entry of the preparation pool: workerData is the embedder's preprocessing options.
const transform = new ClipImageTransform(workerData as ClipImageTransformOptions);

serveWorkerRequests<PrepareRequest, PreparedBatch | Float32Array>(async (request) => {
  if ('bytes' in request) {
    const pixels = await prepareImageBytes(request.bytes, transform);
    return { result: pixels, transfer: [pixels.buffer as ArrayBuffer] };
  }
  const batch = await prepareImages(request.files, transform);
  return { result: batch, transfer: [batch.pixels.buffer as ArrayBuffer] };
});
