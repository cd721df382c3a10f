import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SeededRandom } from '@clipkit/core';
import sharp from 'sharp';

/**
 * Writes `count` 224 x 224 JPEGs (quality 90) of smooth random colour fields, a stand-in for photos: a 7 x 7
 * grid of random colours enlarged with a bicubic filter. Returns their paths.
 */
export async function writeRandomJpegs(dir: string, count: number, seed = 7): Promise<string[]> {
  const rng = new SeededRandom(seed);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const grid = Uint8Array.from({ length: 7 * 7 * 3 }, () => rng.int(256));
    const folder = join(dir, `part-${Math.floor(i / 100)}`);
    await mkdir(folder, { recursive: true });
    const path = join(folder, `image-${String(i).padStart(5, '0')}.jpg`);
    await writeFile(
      path,
      await sharp(grid, { raw: { width: 7, height: 7, channels: 3 } })
        .resize(224, 224, { kernel: 'cubic' })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    paths.push(path);
  }
  return paths;
}
