import { describe, expect, it } from 'vitest';
import { centerCrop, centerCropOffset, roundHalfEven } from './center-crop.js';
import type { RgbImage } from './rgb-image.js';

/** An image whose red channel numbers the pixels 1, 2, 3, ... row by row. */
function numbered(width: number, height: number): RgbImage {
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i % 3 === 0 ? i / 3 + 1 : 0)) };
}

function red(image: RgbImage): number[] {
  return [...image.data].filter((_, i) => i % 3 === 0);
}

describe('roundHalfEven (Python round)', () => {
  it('sends ties to the even neighbour and everything else to the nearest', () => {
    expect([74.5, 67.5, 0.5, 1.5, 2.5, 37, 2.4, 2.6].map(roundHalfEven)).toEqual([74, 68, 0, 2, 2, 37, 2, 3]);
  });
});

describe('centerCropOffset (torchvision center_crop)', () => {
  it('rounds half-odd offsets to even: 373 -> 224 starts at 74 (74.5), 359 -> 224 at 68 (67.5)', () => {
    expect(centerCropOffset(373, 224)).toBe(74);
    expect(centerCropOffset(359, 224)).toBe(68);
    expect(centerCropOffset(298, 224)).toBe(37);
    expect(centerCropOffset(224, 224)).toBe(0);
  });

  it('pads a side shorter than the crop with (crop - size) // 2 before it', () => {
    expect(centerCropOffset(100, 224)).toBe(-62);
    expect(centerCropOffset(101, 224)).toBe(-61);
  });
});

describe('centerCrop', () => {
  it('cuts the window at the rounded offsets', () => {
    // 5x3 -> 2x2: left = round(1.5) = 2, top = round(0.5) = 0.
    expect(red(centerCrop(numbered(5, 3), 2, 2))).toEqual([3, 4, 8, 9]);
  });

  it('fills the padding with black when the crop is larger than the image', () => {
    expect(red(centerCrop(numbered(1, 1), 3, 2))).toEqual([0, 1, 0, 0, 0, 0]);
    expect(red(centerCrop(numbered(2, 1), 4, 1))).toEqual([0, 1, 2, 0]);
  });
});
