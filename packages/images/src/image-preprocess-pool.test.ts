import { afterAll, describe, expect, it } from 'vitest';
import { ClipImageTransform } from './clip-image-transform.js';
import { decodeImage } from './decode-image.js';
import { ImagePreprocessPool } from './image-preprocess-pool.js';

const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/preprocess/`;
const FILES = ['photo_640x480.png', 'portrait_300x500.png', 'square_224x224_rgba.png', 'tiny_98x61.png', 'photo_1024x768.jpg', 'gray_200x150.jpg'].map((f) => FIXTURES + f);
const WORKER = new URL('../dist/preprocess-images-worker.js', import.meta.url);

describe('ImagePreprocessPool', () => {
  const transform = new ClipImageTransform({ size: 64, cropSize: { height: 64, width: 48 }, mean: [0.5, 0.4, 0.3], std: [0.2, 0.3, 0.4] });
  const pool = new ImagePreprocessPool(transform, 2, WORKER);
  afterAll(() => pool.dispose());

  it('gives the pixels of the transform on this thread, bit for bit, for batches in flight at once', async () => {
    const batches = [FILES.slice(0, 3), FILES.slice(3), FILES.slice(1, 2)];
    const results = await Promise.all(batches.map((files) => pool.pixelValues(files)));
    for (const [i, files] of batches.entries()) {
      const expected = transform.toPixelValues(await Promise.all(files.map((f) => decodeImage(f))));
      expect(results[i].shape).toEqual([files.length, 3, 64, 48]);
      expect(results[i].data).toEqual(expected.data);
    }
  });

  it("rejects a batch with a file that cannot be decoded with decodeImage's error, and keeps working", async () => {
    const missing = `${FIXTURES}no-such-image.png`;
    const expected = await decodeImage(missing).catch((error: Error) => error.message);
    await expect(pool.pixelValues([FILES[0], missing])).rejects.toThrow(expected as string);
    expect((await pool.pixelValues([FILES[0]])).shape[0]).toBe(1);
  });
});
