import { workerData } from 'node:worker_threads';
import { serveWorkerRequests } from '../common/serve-worker-requests.js';
import { type LoadedImage, loadClipImages } from './load-clip-images.js';

// Worker entry of workerImageLoader: loads the requested files and moves the pixel arrays to the main thread.
serveWorkerRequests<readonly string[], LoadedImage[]>(async (paths) => {
  const result = await loadClipImages(paths, workerData as number);
  return { result, transfer: result.flatMap((image) => ('pixels' in image ? [image.pixels.buffer as ArrayBuffer] : [])) };
});
