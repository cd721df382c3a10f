import sharp from 'sharp';
import { SearchRequestError } from '../errors.js';

/** The formats decodeImage reads, as sharp names them. */
const FORMATS = ['jpeg', 'png', 'webp'];

/**
 * Refuses uploaded bytes that are not a PNG, JPEG or WebP image (415) or that would decode to more than
 * `maxPixels` pixels (413), from the header alone, before anything is decoded: a small file can declare
 * a huge image.
 */
export async function checkUpload(bytes: Uint8Array, maxPixels: number): Promise<void> {
  let format: string;
  let pixels: number;
  try {
    const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
    format = metadata.format;
    pixels = metadata.width * metadata.height;
  } catch {
    throw new SearchRequestError(415, `the uploaded ${bytes.byteLength} bytes are not an image: send a PNG, JPEG or WebP file`);
  }
  if (!FORMATS.includes(format)) throw new SearchRequestError(415, `${format} images are not supported: send a PNG, JPEG or WebP file`);
  if (pixels > maxPixels) throw new SearchRequestError(413, `the uploaded image has ${pixels} pixels, more than the ${maxPixels} this server accepts: send a smaller image`);
}
