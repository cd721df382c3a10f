import { ClipkitError } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { resizeBicubic } from './resize-bicubic.js';
import type { RgbImage } from './rgb-image.js';

/** A grey image from rows of grey levels. */
function grey(rows: number[][]): RgbImage {
  return { width: rows[0].length, height: rows.length, data: Uint8Array.from(rows.flat().flatMap((v) => [v, v, v])) };
}

/** The red channel, row by row. */
function red(image: RgbImage): number[][] {
  return Array.from({ length: image.height }, (_, y) => Array.from({ length: image.width }, (_, x) => image.data[(y * image.width + x) * 3]));
}

// Hand-worked with Pillow's kernel (a = -0.5): f(0.25) = 0.8671875, f(0.75) = 0.2265625, f(1.25) = -0.0703125.
describe('resizeBicubic (exact: integer outputs)', () => {
  it('upscales [0, 255] to 4 pixels, clipping the overshoot of the negative lobe', () => {
    // Output 1 reads inputs 0..1 at distances -0.25, 0.75: 255 * 0.2265625 / (0.8671875 + 0.2265625) = 52.8 -> 53;
    // output 0 has weights (0.8671875, -0.0703125) / 0.796875, so 255 * -0.088 < 0 clips to 0; outputs 2, 3 mirror.
    expect(red(resizeBicubic(grey([[0, 255]]), 4, 1))).toEqual([[0, 53, 202, 255]]);
  });

  it('downscales with an antialiasing kernel stretched to twice the width', () => {
    // 4 -> 2: support 4, distances scaled by 1/2: weights f(.25), f(.25), f(.75), f(1.25) over 1.890625;
    // 255 * (0.2265625 - 0.0703125) / 1.890625 = 21.07 -> 21, and the mirror 233.9 -> 234.
    expect(red(resizeBicubic(grey([[0, 0, 255, 255]]), 2, 1))).toEqual([[21, 234]]);
  });

  it('runs only the vertical pass when the width does not change', () => {
    expect(red(resizeBicubic(grey([[0], [255]]), 1, 4))).toEqual([[0], [53], [202], [255]]);
  });

  it('resamples each channel independently', () => {
    const image: RgbImage = { width: 2, height: 1, data: Uint8Array.from([0, 255, 7, 255, 0, 7]) };
    expect([...resizeBicubic(image, 4, 1).data]).toEqual([0, 255, 7, 53, 202, 7, 202, 53, 7, 255, 0, 7]);
  });

  it('keeps a constant image constant at any size (fixed-point weights sum to one)', () => {
    const image = grey(Array.from({ length: 7 }, () => Array.from({ length: 13 }, () => 200)));
    for (const [w, h] of [
      [5, 3],
      [29, 17],
      [13, 2],
      [1, 1],
    ]) {
      const out = resizeBicubic(image, w, h);
      expect(out.data.length).toBe(w * h * 3);
      expect(out.data.every((v) => v === 200)).toBe(true);
    }
  });

  it('returns an untouched copy at the same size (Image.resize does no resampling then)', () => {
    const image = grey([
      [0, 255, 3],
      [9, 8, 7],
    ]);
    const out = resizeBicubic(image, 3, 2);
    expect(out.data).toEqual(image.data);
    expect(out.data).not.toBe(image.data);
  });

  it('rejects a target size that is not a positive whole number', () => {
    expect(() => resizeBicubic(grey([[1]]), 0, 2)).toThrow(ClipkitError);
    expect(() => resizeBicubic(grey([[1]]), 2.5, 2)).toThrow(/2.5x2/);
  });
});
