import { SeededRandom } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { randomResizedCropBox, resizedCrop } from './random-resized-crop.js';
import { resizeBicubic } from './resize-bicubic.js';

const OPEN_CLIP = { scale: [0.9, 1.0], ratio: [3 / 4, 4 / 3] } as const;

describe('randomResizedCropBox', () => {
  it("draws windows inside open_clip's scale and ratio ranges, placed inside the image", () => {
    const rng = new SeededRandom(7);
    const lefts = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const box = randomResizedCropBox(100, 80, OPEN_CLIP, () => rng.uniform());
      // w and h are rounded to whole pixels: the area fraction and ratio can leave the ranges by that rounding only.
      const area = (box.width * box.height) / 8000;
      expect(area).toBeGreaterThanOrEqual(0.9 - (box.width + box.height) / 8000);
      expect(area).toBeLessThanOrEqual(1);
      expect(box.width / box.height).toBeGreaterThanOrEqual((3 / 4) * (1 - 1 / box.height) - 1e-9);
      expect(box.width / box.height).toBeLessThanOrEqual((4 / 3) * (1 + 1 / box.height) + 1e-9);
      expect(box.left + box.width).toBeLessThanOrEqual(100);
      expect(box.top + box.height).toBeLessThanOrEqual(80);
      lefts.add(box.left);
    }
    // Slack of up to 10 px: every left offset in 0..10 turns up over 2000 draws.
    expect(lefts.size).toBeGreaterThan(5);
  });

  it('is a function of the draws: the same seed gives the same windows', () => {
    const a = new SeededRandom(3);
    const b = new SeededRandom(3);
    for (let i = 0; i < 50; i++) expect(randomResizedCropBox(64, 48, OPEN_CLIP, () => a.uniform())).toEqual(randomResizedCropBox(64, 48, OPEN_CLIP, () => b.uniform()));
  });

  it("falls back to torchvision's central crop at the nearest ratio when no draw fits", () => {
    // Ratio 2 at full area never fits a square: w = round(sqrt(2) * 10) = 14 > 10 every time.
    expect(randomResizedCropBox(10, 10, { scale: [1, 1], ratio: [2, 2] }, () => 0.5)).toEqual({ left: 0, top: 2, width: 10, height: 5 });
    // A wide image under a narrow ratio: the full height, width round(20 * 0.5) = 10, centred.
    expect(randomResizedCropBox(60, 20, { scale: [1, 1], ratio: [0.5, 0.5] }, () => 0.5)).toEqual({ left: 25, top: 0, width: 10, height: 20 });
  });
});

describe('resizedCrop', () => {
  const image = { width: 4, height: 3, data: Uint8Array.from({ length: 36 }, (_, i) => i) };

  it('cuts the window out before resizing (a window of the output size is copied as is)', () => {
    const out = resizedCrop(image, { left: 1, top: 1, width: 2, height: 2 }, 2);
    // Rows 1-2, columns 1-2 of [3, 4, 3] bytes.
    expect([...out.data]).toEqual([15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
  });

  it("resizes the whole image as Pillow's bicubic does", () => {
    expect(resizedCrop(image, { left: 0, top: 0, width: 4, height: 3 }, 5)).toEqual(resizeBicubic(image, 5, 5));
  });

  it('refuses a window outside the image', () => {
    expect(() => resizedCrop(image, { left: 3, top: 0, width: 2, height: 2 }, 2)).toThrow(/does not lie inside the 4x3 image/);
  });
});
