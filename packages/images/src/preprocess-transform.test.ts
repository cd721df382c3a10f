import { ConfigError, type PreprocessConfig, preprocessorConfigJson } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { preprocessOf, preprocessTransform } from './preprocess-transform.js';

const FASHION_MNIST: PreprocessConfig = { resizeMode: 'shortest', size: 28, mean: [0.286, 0.286, 0.286], std: [0.353, 0.353, 0.353] };
const f = Math.fround;

/** A 28x28 grey image as decodeImage gives a greyscale PNG: each byte three times. */
function grey28(): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(28 * 28 * 3);
  for (let i = 0; i < 28 * 28; i++) data.fill((i * 37) % 256, i * 3, i * 3 + 3);
  return { width: 28, height: 28, data };
}

describe('preprocessTransform', () => {
  it('pads a 28 px Fashion-MNIST image to 32 with zeros and normalises as the recipe, (x - 0.286) / 0.353 in float32', () => {
    const out = preprocessTransform(FASHION_MNIST, 32).transform(grey28()); // [3, 32, 32]
    const pad = f(f(0 - f(0.286)) / f(0.353));
    expect(pad).toBeCloseTo(-0.8102, 4);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          const inside = y >= 2 && y < 30 && x >= 2 && x < 30;
          const byte = inside ? (((y - 2) * 28 + x - 2) * 37) % 256 : 0;
          expect(out[c * 1024 + y * 32 + x]).toBe(f(f(f(byte / 255) - f(0.286)) / f(0.353)));
        }
      }
    }
  });

  it('squashes to size x size without keeping the aspect ratio, then crops the model size', () => {
    const transform = preprocessTransform({ resizeMode: 'squash', size: 16, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, 16);
    const wide = { width: 40, height: 10, data: new Uint8Array(40 * 10 * 3).fill(255) };
    expect(transform.resizeAndCrop(wide)).toMatchObject({ width: 16, height: 16 });
    // A white image stays white: (1 - 0.5) / 0.5.
    expect(new Set(transform.transform(wide))).toEqual(new Set([1]));
  });
});

describe('preprocessOf', () => {
  it('gives back the section of every resize mode (preprocessTransform round trip)', () => {
    const sections: PreprocessConfig[] = [
      FASHION_MNIST,
      { resizeMode: 'squash', size: 32, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
      { resizeMode: 'squash', size: 28, mean: [0.1, 0.2, 0.3], std: [0.4, 0.5, 0.6] },
      { resizeMode: 'none', size: 32, mean: [0.1, 0.2, 0.3], std: [0.4, 0.5, 0.6] },
    ];
    for (const section of sections) expect(preprocessOf(preprocessTransform(section, 32).options, 32, 'test')).toEqual(section);
  });

  it('writes a squash to the model size as a SiglipImageProcessor and the rest as a CLIPImageProcessor', () => {
    expect(preprocessorConfigJson({ resizeMode: 'squash', size: 32, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, 32)).toMatchObject({
      image_processor_type: 'SiglipImageProcessor',
      size: { height: 32, width: 32 },
    });
    expect(preprocessorConfigJson(FASHION_MNIST, 32)).toMatchObject({
      image_processor_type: 'CLIPImageProcessor',
      do_resize: true,
      size: { shortest_edge: 28 },
      do_center_crop: true,
      crop_size: { height: 32, width: 32 },
    });
  });

  it('refuses what the section cannot state, naming the field and the file', () => {
    const crop = preprocessTransform(FASHION_MNIST, 32).options;
    expect(() => preprocessOf(crop, 64, 'dir/preprocessor_config.json')).toThrow(ConfigError);
    expect(() => preprocessOf(crop, 64, 'dir/preprocessor_config.json')).toThrow(/dir\/preprocessor_config.json[\s\S]*crop_size: must be the model's image size 64x64/);
    expect(() => preprocessOf({ ...crop, rescaleFactor: 1 }, 32, 'x')).toThrow(/rescale_factor: must be 1\/255/);
    expect(() => preprocessOf({ ...crop, size: { height: 32, width: 40 } }, 32, 'x')).toThrow(/size: must be square/);
  });
});
