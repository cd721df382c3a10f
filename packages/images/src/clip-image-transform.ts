import { ClipkitError } from '@clipkit/core';
import { centerCrop } from './center-crop.js';
import { CLIP_MEAN, CLIP_STD } from './clip-mean-std.js';
import { parsePreprocessorConfig } from './parse-preprocessor-config.js';
import { resizeBicubic } from './resize-bicubic.js';
import { resizeShortestEdge } from './resize-shortest-edge.js';
import type { RgbImage } from './rgb-image.js';

export type Rgb = readonly [number, number, number];

/** An exact size in pixels. */
export interface Size {
  readonly height: number;
  readonly width: number;
}

export interface ClipImageTransformOptions {
  /**
   * The resize (Pillow bicubic): a number resizes the shorter side to it, keeping the aspect ratio (CLIP); a
   * {height, width} resizes to exactly that size, aspect ratio not kept (SigLIP's "squash"); null skips
   * resizing. Default 224.
   */
  readonly size: number | Size | null;
  /** Centre crop, after resizing; also the output size. A crop of the resized size leaves the image as it is (SigLIP). Default 224 x 224. */
  readonly cropSize: Size;
  /** Scales the bytes before normalising; ToTensor's 1/255 by default (1 leaves them in 0..255). */
  readonly rescaleFactor: number;
  /** Per-channel mean subtracted after rescaling. Default CLIP_MEAN. */
  readonly mean: Rgb;
  /** Per-channel std divided by after subtracting the mean. Default CLIP_STD. */
  readonly std: Rgb;
}

/** A batch of preprocessed images, ready to become a tensor. */
export interface PixelValues {
  readonly data: Float32Array;
  /** [N, 3, H, W] */
  readonly shape: [number, number, number, number];
}

function isPositiveInteger(value: number): boolean {
  return Number.isInteger(value) && value >= 1;
}

function validate(options: ClipImageTransformOptions): void {
  const { size, cropSize, rescaleFactor, mean, std } = options;
  const problems: string[] = [];
  if (typeof size === 'number' && !isPositiveInteger(size)) problems.push(`size ${size} must be an integer >= 1, a {height, width} or null`);
  if (size !== null && typeof size === 'object' && !(isPositiveInteger(size.height) && isPositiveInteger(size.width)))
    problems.push(`size ${size.height}x${size.width} must be integers >= 1`);
  if (!isPositiveInteger(cropSize.height) || !isPositiveInteger(cropSize.width)) problems.push(`cropSize ${cropSize.height}x${cropSize.width} must be integers >= 1`);
  if (!(rescaleFactor > 0 && Number.isFinite(rescaleFactor))) problems.push(`rescaleFactor ${rescaleFactor} must be a finite number > 0`);
  if (mean.length !== 3 || !mean.every(Number.isFinite)) problems.push(`mean [${mean.join(', ')}] must be 3 finite numbers`);
  if (std.length !== 3 || !std.every((s) => s > 0 && Number.isFinite(s))) problems.push(`std [${std.join(', ')}] must be 3 finite numbers > 0`);
  if (problems.length > 0) throw new ClipkitError(`ClipImageTransform: ${problems.join('; ')}`);
}

/**
 * OpenAI CLIP's image preprocessing (clip/clip.py `_transform(n_px)`), bit-exact on the reference fixtures:
 * Resize(n_px, BICUBIC) with Pillow's resampler, CenterCrop with Python's half-to-even offsets, ToTensor
 * (/255) and Normalize(mean, std), giving CHW float32. tfjs-free: consumers turn the arrays into tensors.
 * With an exact `size` and a crop of that size it is transformers' SiglipImageProcessor instead: Pillow's
 * bicubic straight to height x width, no crop, rescale, normalise (fixtures/preprocess-siglip, bit-exact).
 *
 * The RGB conversion happens before, at decode time (`decodeImage`), as in transformers'
 * CLIPImageProcessor. OpenAI converts after resizing, which differs only for images that need resizing
 * and are RGBA/LA (Pillow then resizes premultiplied by alpha) or palette-based (Pillow then resizes
 * with NEAREST).
 */
export class ClipImageTransform {
  readonly options: ClipImageTransformOptions;
  /** Output value for each byte, per channel: [3, 256]. */
  private readonly table: Float32Array;

  constructor(options: Partial<ClipImageTransformOptions> = {}) {
    this.options = {
      size: options.size === undefined ? 224 : options.size,
      cropSize: options.cropSize ?? { height: 224, width: 224 },
      rescaleFactor: options.rescaleFactor ?? 1 / 255,
      mean: options.mean ?? CLIP_MEAN,
      std: options.std ?? CLIP_STD,
    };
    validate(this.options);
    this.table = new Float32Array(3 * 256);
    const f = Math.fround;
    for (let c = 0; c < 3; c++) {
      const mean = f(this.options.mean[c]);
      const std = f(this.options.std[c]);
      // torch computes x / 255, - mean, / std as float32 operations. One double operation rounded once to
      // float32 gives the same result as the float32 operation, and v * (1 / 255) rounds to the same float32
      // as v / 255 for every byte, so the table holds torch's values bit for bit.
      for (let v = 0; v < 256; v++) this.table[c * 256 + v] = f(f(f(v * this.options.rescaleFactor) - mean) / std);
    }
  }

  /** OpenAI's `_transform(imageSize)`: shortest edge and crop `imageSize`, CLIP mean/std. */
  static forImageSize(imageSize: number): ClipImageTransform {
    return new ClipImageTransform({ size: imageSize, cropSize: { height: imageSize, width: imageSize } });
  }

  /** From the contents of a Hugging Face `preprocessor_config.json`; `source` names the file in errors. */
  static fromPreprocessorConfig(json: unknown, source?: string): ClipImageTransform {
    return new ClipImageTransform(parsePreprocessorConfig(json, source));
  }

  get height(): number {
    return this.options.cropSize.height;
  }

  get width(): number {
    return this.options.cropSize.width;
  }

  /** Resized and cropped pixels, before normalisation (what PIL holds before ToTensor). */
  resizeAndCrop(image: RgbImage): RgbImage {
    if (image.data.length !== image.width * image.height * 3) {
      throw new ClipkitError(
        `ClipImageTransform: a ${image.width}x${image.height} RGB image needs ${image.width * image.height * 3} bytes, got ${image.data.length}; decode images with decodeImage`,
      );
    }
    const { size } = this.options;
    const resized = size === null ? image : typeof size === 'number' ? resizeShortestEdge(image, size) : resizeBicubic(image, size.width, size.height);
    return centerCrop(resized, this.width, this.height);
  }

  /** One image as CHW float32 [3, H, W], normalised; writes into `out` at `offset` when given. */
  transform(image: RgbImage, out = new Float32Array(3 * this.height * this.width), offset = 0): Float32Array {
    const { data } = this.resizeAndCrop(image); // [H, W, 3]
    const plane = this.height * this.width;
    if (out.length < offset + 3 * plane)
      throw new ClipkitError(`ClipImageTransform.transform: output array of ${out.length} floats cannot hold [3, ${this.height}, ${this.width}] at offset ${offset}`);
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) out[offset + c * plane + i] = this.table[c * 256 + data[i * 3 + c]];
    }
    return out;
  }

  /** A batch as one NCHW float32 array [N, 3, H, W]. */
  toPixelValues(images: readonly RgbImage[]): PixelValues {
    const size = 3 * this.height * this.width;
    const data = new Float32Array(images.length * size);
    for (const [n, image] of images.entries()) this.transform(image, data, n * size);
    return { data, shape: [images.length, 3, this.height, this.width] };
  }
}
