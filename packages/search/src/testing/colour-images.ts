import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';

/** Colours of the test folders, as bytes. */
export const PAINTS: Readonly<Record<string, readonly [number, number, number]>> = {
  red: [230, 20, 20],
  'dark-red': [120, 10, 10],
  orange: [240, 120, 0],
  yellow: [235, 225, 20],
  green: [20, 200, 40],
  cyan: [20, 210, 220],
  blue: [25, 40, 230],
  purple: [120, 20, 230],
  magenta: [220, 30, 210],
  white: [245, 245, 245],
};

/**
 * Writes an image of one colour with a darker square in the middle (so that thumbnails show something),
 * as PNG, JPEG or WebP by the file's extension.
 */
export async function writeColourImage(path: string, rgb: readonly number[], width = 48, height = 40): Promise<void> {
  const [r, g, b] = rgb;
  const square = Math.floor(Math.min(width, height) / 3);
  const shade = await sharp({ create: { width: square, height: square, channels: 3, background: { r: r * 0.8, g: g * 0.8, b: b * 0.8 } } })
    .png()
    .toBuffer();
  let image = sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).composite([
    { input: shade, left: Math.floor((width - square) / 2), top: Math.floor((height - square) / 2) },
  ]);
  if (path.endsWith('.png')) image = image.png();
  else if (path.endsWith('.webp')) image = image.webp({ lossless: true });
  else image = image.jpeg({ quality: 95 });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await image.toBuffer());
}
