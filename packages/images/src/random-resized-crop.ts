import { ClipkitError } from '@clipkit/core';
import { roundHalfEven } from './center-crop.js';
import { resizeBicubic } from './resize-bicubic.js';
import type { RgbImage } from './rgb-image.js';

/** torchvision's RandomResizedCrop parameters, as open_clip's training transform sets them. */
export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image's. open_clip's AugmentationCfg default [0.9, 1.0]. */
  readonly scale: readonly [number, number];
  /** Range of the crop's aspect ratio (width / height). torchvision's default [3/4, 4/3]. */
  readonly ratio: readonly [number, number];
}

/** A crop window in pixels. */
export interface CropBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * torchvision's `RandomResizedCrop.get_params`: up to 10 draws of an area fraction (uniform in `scale`) and an
 * aspect ratio (log-uniform in `ratio`), the first window that fits placed uniformly at random, else a central
 * crop at the nearest allowed ratio. `uniform` returns numbers in [0, 1) (a seeded generator: the draws, not
 * torch's generator, make a run reproducible).
 */
export function randomResizedCropBox(width: number, height: number, options: RandomResizedCropOptions, uniform: () => number): CropBox {
  const [minScale, maxScale] = options.scale;
  const [minRatio, maxRatio] = options.ratio;
  if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1) || !(minRatio > 0 && minRatio <= maxRatio)) {
    throw new ClipkitError(`RandomResizedCrop: scale [${options.scale}] must satisfy 0 < min <= max <= 1 and ratio [${options.ratio}] 0 < min <= max`);
  }
  const area = width * height;
  const [logMin, logMax] = [Math.log(minRatio), Math.log(maxRatio)];
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * (minScale + (maxScale - minScale) * uniform());
    const aspect = Math.exp(logMin + (logMax - logMin) * uniform());
    // Python's round: half to even.
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = Math.floor(uniform() * (height - h + 1));
      const left = Math.floor(uniform() * (width - w + 1));
      return { left, top, width: w, height: h };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < minRatio) h = roundHalfEven(w / minRatio);
  else if (inRatio > maxRatio) w = roundHalfEven(h * maxRatio);
  return { left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h };
}

/** `F.resized_crop` on a PIL image: the window cut out, then Pillow's bicubic resize to size x size. */
export function resizedCrop(image: RgbImage, box: CropBox, size: number): RgbImage {
  const { left, top, width, height } = box;
  if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > image.width || top + height > image.height) {
    throw new ClipkitError(`resizedCrop: the window ${width}x${height} at (${left}, ${top}) does not lie inside the ${image.width}x${image.height} image`);
  }
  const data = new Uint8Array(width * height * 3); // [height, width, 3]
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return resizeBicubic({ width, height, data }, size, size);
}
