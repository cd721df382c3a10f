import { workerData } from 'node:worker_threads';
import { ClipImageTransform, type ClipImageTransformOptions } from './clip-image-transform.js';
import { preprocessImageFiles } from './preprocess-images.js';
import { serveWorkerRequests } from './serve-worker-requests.js';

// Worker entry of ImagePreprocessPool: workerData is the transform's options.
const transform = new ClipImageTransform(workerData as ClipImageTransformOptions);

serveWorkerRequests<readonly string[], Float32Array>(async (files) => {
  const pixels = await preprocessImageFiles(files, transform);
  return { result: pixels, transfer: [pixels.buffer as ArrayBuffer] };
});
