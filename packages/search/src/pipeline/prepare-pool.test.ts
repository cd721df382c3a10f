import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { ClipImageTransform } from '@clipkit/images';
import { describe, expect, it } from 'vitest';
import { PAINTS, writeColourImage } from '../testing/colour-images.js';
import { temporaryFolder, WORKER } from '../testing/test-folders.test-support.js';
import { prepareImages } from './prepare-images.js';
import { PreparePool } from './prepare-pool.js';

const tmp = temporaryFolder('clipkit-prepare-');
const transform = ClipImageTransform.forImageSize(32);

describe('PreparePool', () => {
  it('gives on worker threads the pixels and hashes the calling thread gives, and reports unreadable files', async () => {
    const files = ['a.png', 'b.jpg', 'c.webp', 'missing.png', 'broken.png'].map((name) => join(tmp.path, name));
    await writeColourImage(files[0], PAINTS.red, 50, 30);
    await writeColourImage(files[1], PAINTS.green, 20, 60);
    await writeColourImage(files[2], PAINTS.blue, 33, 33);
    await writeFile(files[4], (await readFile(files[0])).subarray(0, 60));
    const requests = files.map((absolute) => ({ absolute, knownHash: null }));
    const pool = new PreparePool(transform.options, 2, WORKER);
    try {
      const [onWorker, again] = await Promise.all([pool.files(requests), pool.files(requests)]);
      const inThread = await prepareImages(requests, transform);
      expect(onWorker.images).toEqual(inThread.images);
      expect(again.images).toEqual(inThread.images);
      expect(onWorker.pixels).toEqual(inThread.pixels); // [3, 3, 32, 32], bit for bit
      expect(onWorker.pixels).toHaveLength(3 * 3 * 32 * 32);
      expect(onWorker.images.map((i) => i.status)).toEqual(['ok', 'ok', 'ok', 'error', 'error']);
      expect(onWorker.images[0]).toMatchObject({ width: 50, height: 30 });

      // A known hash means "unchanged": the file is not decoded.
      const ok = onWorker.images[0] as { hash: string };
      const same = await pool.files([{ absolute: files[0], knownHash: ok.hash }]);
      expect(same).toEqual({ images: [{ status: 'same', hash: ok.hash }], pixels: new Float32Array(0) });

      // Bytes (an upload): the same pixels as the file; a decoding failure arrives as a ClipkitError.
      expect(await pool.bytes(await readFile(files[1]))).toEqual(inThread.pixels.subarray(3 * 32 * 32, 2 * 3 * 32 * 32));
      await expect(pool.bytes(new TextEncoder().encode('not an image'))).rejects.toBeInstanceOf(ClipkitError);
    } finally {
      await pool.dispose();
    }
  });
});
