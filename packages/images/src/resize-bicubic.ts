import { ClipkitError } from '@clipkit/core';
import type { RgbImage } from './rgb-image.js';

/**
 * Pillow's `Image.resize(size, Image.BICUBIC)` for 8-bit RGB, ported bit for bit from
 * src/libImaging/Resample.c (precompute_coeffs, normalize_coeffs_8bpc, ImagingResampleHorizontal_8bpc,
 * ImagingResampleVertical_8bpc, ImagingResampleInner). It is what OpenAI's `_transform` runs through
 * torchvision's Resize, so matching it exactly is the only way to reproduce CLIP's pixel values: a float
 * bicubic without the uint8 rounding between passes is off by up to ~48 grey levels at sharp edges
 * (see fixtures/preprocess/README.md).
 */

/** Pillow's PRECISION_BITS = 32 - 8 - 2: 8 bits of result, 2 bits of headroom for negative lobes. */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
/** Accumulators start at one half, so the final shift rounds to nearest. */
const HALF = 1 << (PRECISION_BITS - 1);
/** The bicubic kernel is non-zero on (-2, 2). */
const BICUBIC_SUPPORT = 2;

/** Keys' cubic convolution kernel with a = -0.5, in Pillow's operation order (bicubic_filter). */
function bicubicFilter(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** For each output position: the first input index, how many inputs it reads, and their fixed-point weights. */
interface Coefficients {
  /** Weights per output position (the row stride). */
  readonly taps: number;
  /** [first, count] per output position. */
  readonly bounds: Int32Array;
  /** `taps` weights per output position, scaled by 2^22 and rounded half away from zero. */
  readonly weights: Int32Array;
}

/** precompute_coeffs + normalize_coeffs_8bpc for the whole input range (box = [0, inSize]). */
function bicubicCoefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  // Downscaling stretches the kernel over more inputs (antialiasing); upscaling keeps it at width 4.
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * taps);
  const kernel = new Float64Array(taps);
  // Multiplying by the reciprocal (not dividing by the scale) is Pillow's order; it can change the last bit.
  const inverseScale = 1 / filterScale;
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    // C's (int) cast truncates; both ends then clamp to the image.
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - first;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      kernel[i] = bicubicFilter((i + first - center + 0.5) * inverseScale);
      sum += kernel[i];
    }
    for (let i = 0; i < count; i++) {
      const w = sum !== 0 ? kernel[i] / sum : kernel[i];
      weights[out * taps + i] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    bounds[out * 2] = first;
    bounds[out * 2 + 1] = count;
  }
  return { taps, bounds, weights };
}

/** Pillow's clip8: drop the fraction bits and clamp to a byte. */
function clip8(accumulator: number): number {
  const value = accumulator >> PRECISION_BITS;
  return value < 0 ? 0 : Math.min(value, 255);
}

/** ImagingResampleHorizontal_8bpc on rows [rowFirst, rowLast) of the input. */
function resampleHorizontal(image: RgbImage, width: number, c: Coefficients, rowFirst: number, rowLast: number): RgbImage {
  const { taps, bounds, weights } = c;
  const height = rowLast - rowFirst;
  const src = image.data;
  const out = new Uint8Array(height * width * 3); // [height, width, 3]
  for (let y = 0; y < height; y++) {
    const rowStart = (y + rowFirst) * image.width * 3;
    for (let x = 0; x < width; x++) {
      const first = bounds[x * 2];
      const count = bounds[x * 2 + 1];
      const k = x * taps;
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let i = 0, p = rowStart + first * 3; i < count; i++, p += 3) {
        const w = weights[k + i];
        r += src[p] * w;
        g += src[p + 1] * w;
        b += src[p + 2] * w;
      }
      const o = (y * width + x) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width, height, data: out };
}

/** ImagingResampleVertical_8bpc; `rowOffset` is the input row that `image`'s first row stands for. */
function resampleVertical(image: RgbImage, height: number, c: Coefficients, rowOffset: number): RgbImage {
  const { taps, bounds, weights } = c;
  const stride = image.width * 3;
  const src = image.data;
  const out = new Uint8Array(height * stride); // [height, width, 3]
  for (let y = 0; y < height; y++) {
    const first = bounds[y * 2] - rowOffset;
    const count = bounds[y * 2 + 1];
    const k = y * taps;
    for (let x = 0; x < stride; x++) {
      let acc = HALF;
      for (let i = 0, p = first * stride + x; i < count; i++, p += stride) acc += src[p] * weights[k + i];
      out[y * stride + x] = clip8(acc);
    }
  }
  return { width: image.width, height, data: out };
}

/** `image.resize((width, height), Image.BICUBIC)` as Pillow computes it for an 8-bit RGB image. */
export function resizeBicubic(image: RgbImage, width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ClipkitError(`resizeBicubic: target size ${width}x${height} must be whole numbers of pixels >= 1`);
  }
  // Image.resize returns a plain copy when the size does not change: no resampling at all.
  if (width === image.width && height === image.height) return { width, height, data: image.data.slice() };
  const vertical = bicubicCoefficients(image.height, height);
  // Only the input rows the vertical pass reads go through the horizontal pass (ybox_first, ybox_last).
  const rowFirst = vertical.bounds[0];
  const rowLast = vertical.bounds[height * 2 - 2] + vertical.bounds[height * 2 - 1];
  let current = image;
  let rowOffset = 0;
  // Pillow skips a pass whose dimension is unchanged (need_horizontal / need_vertical); horizontal runs first.
  if (width !== image.width) {
    current = resampleHorizontal(image, width, bicubicCoefficients(image.width, width), rowFirst, rowLast);
    rowOffset = rowFirst;
  }
  if (height !== image.height) current = resampleVertical(current, height, vertical, rowOffset);
  return current;
}
