import { ClipkitError } from '@clipkit/core';
import { resizeBicubic } from './resize-bicubic.js';
import type { RgbImage } from './rgb-image.js';

/**
 * The size torchvision's `Resize(size)` gives an image (`_compute_resized_output_size`): the shorter side
 * becomes `size` and the longer one `int(size * long / short)`, truncated, not rounded (640x480 -> 298x224).
 */
export function shortestEdgeSize(width: number, height: number, size: number): { width: number; height: number } {
  if (!Number.isInteger(size) || size < 1) throw new ClipkitError(`shortest edge ${size} must be a whole number of pixels >= 1`);
  const [short, long] = width <= height ? [width, height] : [height, width];
  const newLong = Math.trunc((size * long) / short);
  return width <= height ? { width: size, height: newLong } : { width: newLong, height: size };
}

/** torchvision's `Resize(size, interpolation=BICUBIC)` on a PIL image: Pillow bicubic to `shortestEdgeSize`. */
export function resizeShortestEdge(image: RgbImage, size: number): RgbImage {
  const target = shortestEdgeSize(image.width, image.height, size);
  return resizeBicubic(image, target.width, target.height);
}
