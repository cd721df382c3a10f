import { workerData } from 'node:worker_threads';
import { serveWorkerRequests } from '@clipkit/images';
import { ImagePipeline, type ImagePipelineOptions } from './image-pipeline.js';
import { type ImageRequest, type LoadedImage, loadImages } from './load-images.js';

// Worker entry of workerImageLoader: loads the requested files and moves the pixel arrays to the main thread.
const pipeline = new ImagePipeline(workerData as ImagePipelineOptions);
serveWorkerRequests<readonly ImageRequest[], LoadedImage[]>(async (requests) => {
  const result = await loadImages(requests, pipeline);
  return { result, transfer: result.flatMap((image) => ('pixels' in image ? [image.pixels.buffer as ArrayBuffer] : [])) };
});
