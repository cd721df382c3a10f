import { ClipkitError } from '@clipkit/core';
import sharp, { type Metadata, type Sharp } from 'sharp';
import type { RgbImage } from './rgb-image.js';

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
 * and there.
 */
export async function decodeImage(input: string | Uint8Array): Promise<RgbImage> {
  const source = typeof input === 'string' ? input : `image buffer (${input.byteLength} bytes)`;
  // failOn 'error' (not sharp's default 'warning'): like PIL, accept files with benign warnings but
  // reject truncated or corrupt pixel data.
  const open = () => sharp(input, { ignoreIcc: true, autoOrient: false, failOn: 'error' });
  let metadata: Metadata;
  try {
    metadata = await open().metadata();
  } catch (error) {
    throw new ClipkitError(`${source}: cannot read the image (${describeError(error)}); check that it exists and is a PNG, JPEG or WebP file`, { cause: error });
  }
  if (!SUPPORTED_FORMATS.includes(metadata.format)) {
    throw new ClipkitError(`${source}: ${metadata.format} images are not supported; clipkit reads PNG, JPEG and WebP, so convert the file to one of those (PNG is lossless)`);
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
