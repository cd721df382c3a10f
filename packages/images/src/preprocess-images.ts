import type { ClipImageTransform } from './clip-image-transform.js';
import { decodeImage } from './decode-image.js';

/** Decodes image files (sharp, on libuv's threads) and transforms them (JavaScript, on this thread) into one array [N, 3, H, W]. */
export async function preprocessImageFiles(files: readonly string[], transform: ClipImageTransform): Promise<Float32Array> {
  return transform.toPixelValues(await Promise.all(files.map((file) => decodeImage(file)))).data;
}
