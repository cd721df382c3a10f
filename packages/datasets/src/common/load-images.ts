import { decodeImage } from '@clipkit/images';
import type { ImagePipeline } from './image-pipeline.js';

/** An image file to load: for training, with its place in the epoch (which draws its augmentation). */
export interface ImageRequest {
  readonly path: string;
  /** The sample's epoch and position in it; absent for evaluation images. */
  readonly sample?: { readonly epoch: number; readonly index: number };
}

/** One image after decoding and the pipeline ([3, S, S] float32), or why it could not be read. */
export type LoadedImage = { readonly pixels: Float32Array } | { readonly error: string };

/** Decodes the files concurrently (sharp works on libuv's threads) and puts each through the pipeline. */
export async function loadImages(requests: readonly ImageRequest[], pipeline: ImagePipeline): Promise<LoadedImage[]> {
  return Promise.all(
    requests.map(async ({ path, sample }): Promise<LoadedImage> => {
      try {
        const image = await decodeImage(path);
        return { pixels: sample ? pipeline.train(image, sample.epoch, sample.index) : pipeline.evaluate(image) };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}
