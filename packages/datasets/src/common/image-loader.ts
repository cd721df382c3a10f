import { ImagePipeline, type ImagePipelineOptions } from './image-pipeline.js';
import { type ImageRequest, type LoadedImage, loadImages } from './load-images.js';
import { WorkerClient } from './worker-client.js';

/** Where image files are decoded and transformed: both kinds give the same pixels. */
export interface ImageLoader {
  load(requests: readonly ImageRequest[]): Promise<LoadedImage[]>;
  dispose(): Promise<void>;
}

/** Decodes on sharp's threads but resizes on the calling thread (tens of ms per image at 224 px). */
export function inThreadImageLoader(options: ImagePipelineOptions): ImageLoader {
  const pipeline = new ImagePipeline(options);
  return {
    load: (requests) => loadImages(requests, pipeline),
    dispose: async () => undefined,
  };
}

/** The compiled worker script beside this module. */
const IMAGE_LOAD_WORKER = new URL('./image-load-worker.js', import.meta.url);

/** Decodes and resizes on a worker thread, so the (Pillow-exact, JavaScript) resize overlaps the training step. */
export function workerImageLoader(options: ImagePipelineOptions, script: URL = IMAGE_LOAD_WORKER): ImageLoader {
  const client = new WorkerClient<readonly ImageRequest[], LoadedImage[]>(script, options);
  return {
    load: (requests) => client.request(requests),
    dispose: () => client.dispose(),
  };
}
