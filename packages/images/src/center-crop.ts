import { ClipkitError } from '@clipkit/core';
import type { RgbImage } from './rgb-image.js';

/** Python 3's round(): a tie goes to the even neighbour (74.5 -> 74, 67.5 -> 68), unlike Math.round. */
export function roundHalfEven(x: number): number {
  const nearest = Math.round(x);
  return nearest - x === 0.5 && nearest % 2 !== 0 ? nearest - 1 : nearest;
}

/**
 * Where a centred crop of `crop` pixels starts along a side of `size` pixels, as torchvision's
 * `center_crop` computes it: `int(round((size - crop) / 2.0))` with Python's half-to-even round. A crop
 * larger than the side pads both ends with zeros first, `(crop - size) // 2` before, so the offset is
 * negative. Off by one here moves every pixel (max|diff| > 1 on the fixtures), so rounding matters.
 */
export function centerCropOffset(size: number, crop: number): number {
  if (crop > size) return -Math.floor((crop - size) / 2);
  return roundHalfEven((size - crop) / 2);
}

/** torchvision's `CenterCrop((height, width))` on an RGB image; pixels outside the image are black. */
export function centerCrop(image: RgbImage, width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ClipkitError(`centerCrop: crop size ${width}x${height} must be whole numbers of pixels >= 1`);
  }
  const top = centerCropOffset(image.height, height);
  const left = centerCropOffset(image.width, width);
  const out = new Uint8Array(height * width * 3); // [height, width, 3], zero = torchvision's fill
  // The part of the crop window that lies inside the image.
  const xFrom = Math.max(0, -left);
  const xTo = Math.min(width, image.width - left);
  for (let y = Math.max(0, -top); y < Math.min(height, image.height - top); y++) {
    const src = ((y + top) * image.width + left + xFrom) * 3;
    out.set(image.data.subarray(src, src + (xTo - xFrom) * 3), (y * width + xFrom) * 3);
  }
  return { width, height, data: out };
}
