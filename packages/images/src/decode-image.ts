import { ClipkitError } from '@clipkit/core';
import sharp, { type Metadata, type Sharp } from 'sharp';
import type { RgbImage } from './rgb-image.js';

/**
 * The default pixel limit of decodeImage: 64 megapixels (8192 x 8192). Decoding holds 3 bytes per pixel and
 * sharp's pipeline about as much again, so an image at the limit takes some 400 MB, while CLIP inputs are
 * 224 to 448 pixels wide: nothing a camera produces (45-61 MP full frame, 48-50 MP phones in full
 * resolution) is refused, but a small file claiming 16,000 x 16,000 pixels (256 MP, 0.9 GB to decode, issue
 * 16) is, before its pixel data is read. Set CLIPKIT_MAX_IMAGE_PIXELS, or pass `maxPixels`, to change it.
 */
export const DEFAULT_MAX_IMAGE_PIXELS = 64 * 1024 * 1024;

/** Options of decodeImage. */
export interface DecodeImageOptions {
  /** Images of more pixels (width x height) are refused before decoding. Default CLIPKIT_MAX_IMAGE_PIXELS, else DEFAULT_MAX_IMAGE_PIXELS. */
  readonly maxPixels?: number;
}

/** The pixel limit: the option, else the environment variable, else the default. */
function maxPixelsOf(options: DecodeImageOptions): number {
  const fromEnv = process.env.CLIPKIT_MAX_IMAGE_PIXELS;
  const value = options.maxPixels ?? (fromEnv === undefined || fromEnv === '' ? DEFAULT_MAX_IMAGE_PIXELS : Number(fromEnv));
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ClipkitError(`the image pixel limit ${options.maxPixels === undefined ? `CLIPKIT_MAX_IMAGE_PIXELS=${fromEnv}` : value} is not a positive integer`);
  }
  return value;
}

/** The formats the preprocessing is checked against PIL for (fixtures/preprocess). */
const SUPPORTED_FORMATS: readonly string[] = ['jpeg', 'png', 'webp'];

/** Pillow's MULDIV255: a * b / 255 rounded, in integers. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/** PIL's naive cmyk2rgb (Convert.c): no colour management, R = (255 - K) - C * (255 - K) / 255. */
function cmykToRgb(cmyk: Uint8Array, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const notK = 255 - cmyk[i * 4 + 3];
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.max(0, notK - mulDiv255(cmyk[i * 4 + c], notK));
  }
  return rgb;
}

/**
 * PIL opens a 16-bit greyscale PNG as mode "I" (32-bit integers), and `convert("RGB")` clips those
 * values to 0..255 rather than scaling them, so anything above 255 turns white. OpenAI CLIP sees
 * exactly that, so clipkit does the same.
 */
function grey16ToRgb(grey: Uint16Array): Uint8Array {
  const rgb = new Uint8Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) rgb.fill(Math.min(grey[i], 255), i * 3, i * 3 + 3);
  return rgb;
}

/** Keeps the first three bands of sRGB(A) pixels: PIL's convert("RGB") drops alpha without compositing. */
function dropAlpha(data: Uint8Array, pixels: number, channels: number): Uint8Array {
  if (channels === 3) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) rgb.set(data.subarray(i * channels, i * channels + 3), i * 3);
  return rgb;
}

async function decodePixels(open: () => Sharp, space: string, hasAlpha: boolean): Promise<RgbImage> {
  if (space === 'cmyk') {
    // Keep the pipeline in CMYK so sharp applies no ICC transform; convert the way PIL does.
    const { data, info } = await open().pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: cmykToRgb(data, info.width * info.height) };
  }
  if (space === 'grey16' && !hasAlpha) {
    const { data, info } = await open().toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: grey16ToRgb(new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))) };
  }
  // Greyscale is replicated into three bands, palettes are expanded, and 16-bit RGB(A) or grey+alpha
  // keeps the high byte, as PIL's "RGB;16B" / "LA;16B" unpackers do.
  const { data, info } = await open().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const pixels = info.width * info.height;
  return { width: info.width, height: info.height, data: dropAlpha(data, pixels, info.channels) };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}

/**
 * Decodes a PNG, JPEG or WebP file (path or bytes) into the RGB pixels PIL gives for
 * `Image.open(f).convert("RGB")`: alpha dropped without compositing, greyscale replicated, palettes
 * expanded, no EXIF rotation and no ICC colour conversion (PIL's open applies neither; sharp would convert
 * to sRGB by default, hence `ignoreIcc`). JPEG decoders may differ from PIL's libjpeg by a grey level here
 * and there. An image of more than `maxPixels` pixels is refused from its header, before decoding.
 */
export async function decodeImage(input: string | Uint8Array, options: DecodeImageOptions = {}): Promise<RgbImage> {
  const source = typeof input === 'string' ? input : `image buffer (${input.byteLength} bytes)`;
  const maxPixels = maxPixelsOf(options);
  // failOn 'error' (not sharp's default 'warning'): like PIL, accept files with benign warnings but
  // reject truncated or corrupt pixel data. The header is read without a pixel limit (sharp would call a large
  // image's header corrupt), the pixels with it, so sharp itself refuses what the check below might let by.
  const open = (limitInputPixels: number | false = maxPixels) => sharp(input, { ignoreIcc: true, autoOrient: false, failOn: 'error', limitInputPixels });
  let metadata: Metadata;
  try {
    metadata = await open(false).metadata();
  } catch (error) {
    throw new ClipkitError(`${source}: cannot read the image (${describeError(error)}); check that it exists and is a PNG, JPEG or WebP file`, { cause: error });
  }
  if (!SUPPORTED_FORMATS.includes(metadata.format)) {
    throw new ClipkitError(`${source}: ${metadata.format} images are not supported; clipkit reads PNG, JPEG and WebP, so convert the file to one of those (PNG is lossless)`);
  }
  const { width = 0, height = 0 } = metadata;
  if (width * height > maxPixels) {
    throw new ClipkitError(
      `${source}: ${width} x ${height} pixels is more than the limit of ${maxPixels} (${(maxPixels / 2 ** 20).toFixed(0)} megapixels) for one image; shrink the image (CLIP sees it at a few hundred pixels), or raise the limit with CLIPKIT_MAX_IMAGE_PIXELS`,
    );
  }
  try {
    return await decodePixels(open, metadata.space, metadata.hasAlpha);
  } catch (error) {
    throw new ClipkitError(
      `${source}: cannot decode the ${metadata.format} pixel data (${describeError(error)}); the file is probably truncated or corrupt: re-encode it or leave it out`,
      { cause: error },
    );
  }
}
