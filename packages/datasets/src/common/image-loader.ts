import { WorkerClient } from '../common/worker-client.js';
import { type LoadedImage, loadClipImages } from './load-clip-images.js';

/** Where image files are decoded and transformed: both kinds give the same pixels. */
export interface ImageLoader {
  load(paths: readonly string[]): Promise<LoadedImage[]>;
  dispose(): Promise<void>;
}

/** Decodes on sharp's threads but resizes on the calling thread (tens of ms per image at 224 px). */
export function inThreadImageLoader(imageSize: number): ImageLoader {
  return {
    load: (paths) => loadClipImages(paths, imageSize),
    dispose: async () => undefined,
  };
}

/** The compiled worker script beside this module. */
const IMAGE_LOAD_WORKER = new URL('./image-load-worker.js', import.meta.url);

/** Decodes and resizes on a worker thread, so the (Pillow-exact, JavaScript) resize overlaps the training step. */
export function workerImageLoader(imageSize: number, script: URL = IMAGE_LOAD_WORKER): ImageLoader {
  const client = new WorkerClient<readonly string[], LoadedImage[]>(script, imageSize);
  return {
    load: (paths) => client.request(paths),
    dispose: () => client.dispose(),
  };
}
