import { type HostTensor, readSafetensors } from '@clipkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipImageTransform } from './clip-image-transform.js';
import { decodeImage } from './decode-image.js';
import { loadPreprocessorConfig } from './load-preprocessor-config.js';

// Truth: transformers' SiglipImageProcessor run unchanged on the preprocess fixtures' images
// (fixtures/preprocess-siglip/README.md), with Pillow's own JPEG decode kept losslessly in *.decoded.png.

const IMAGES = `${process.env.CLIPKIT_SHARED}/fixtures/preprocess/`;
const EXPECTED = `${process.env.CLIPKIT_SHARED}/fixtures/preprocess-siglip/expected.safetensors`;
const SIGLIP_TINY = `${process.env.CLIPKIT_SHARED}/fixtures/models/siglip-tiny`;

// The bound; a port with Pillow's exact resampling leaves only float32 rounding (the README measured 0).
const TOLERANCE = 1e-5;
const JPEG_MEAN_TOLERANCE = 0.02;

/** siglip-tiny's preprocessor_config.json at another size: resize to exactly size x size, mean = std = 0.5. */
const siglipConfig = (size: number) => ({
  image_processor_type: 'SiglipImageProcessor',
  do_resize: true,
  size: { height: size, width: size },
  resample: 3,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  image_mean: [0.5, 0.5, 0.5],
  image_std: [0.5, 0.5, 0.5],
});

/** Every key of the fixture: "<file>@<size>", decoded from the lossless copy of PIL's decode for JPEGs. */
const KEYS = [
  'photo_640x480.png@32',
  'portrait_300x500.png@32',
  'square_224x224_rgba.png@32',
  'tiny_98x61.png@32',
  'tiny_98x61.png@64',
  'photo_1024x768.jpg@32',
  'gray_200x150.jpg@32',
] as const;

function differences(actual: Float32Array, expected: Float32Array): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / expected.length };
}

describe('SiglipImageProcessor preprocessing (fixtures/preprocess-siglip)', () => {
  let expected: Map<string, HostTensor>;
  const report: string[] = [];

  beforeAll(async () => {
    expected = await readSafetensors(EXPECTED);
  });

  afterAll(() => console.log(`SiglipImageProcessor vs transformers, normalised units (bound ${TOLERANCE}):\n${report.join('\n')}`));

  it.each(KEYS)(`%s matches within ${TOLERANCE}: squashed to size x size, no crop, RGB, mean = std = 0.5`, async (key) => {
    const [file, size] = key.split('@');
    const transform = ClipImageTransform.fromPreprocessorConfig(siglipConfig(Number(size)));
    const image = await decodeImage(IMAGES + file.replace(/\.jpg$/, '.decoded.png'));
    const reference = expected.get(key)!.data as Float32Array;
    const { max, mean } = differences(transform.transform(image), reference);
    report.push(`  ${key.padEnd(28)} max ${max.toExponential(2)}  mean ${mean.toExponential(2)}`);
    expect(max).toBeLessThanOrEqual(TOLERANCE);
    // The README's invariant: every value is (float32(u8 / 255) - 0.5) / 0.5 of the resized bytes.
    const bytes = transform.resizeAndCrop(image).data; // [size, size, 3]
    const plane = Number(size) ** 2;
    let wrongBytes = 0;
    for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) if (bytes[i * 3 + c] !== Math.round((reference[c * plane + i] * 0.5 + 0.5) * 255)) wrongBytes++;
    expect(wrongBytes).toBe(0);
  });

  it.each(['photo_1024x768.jpg@32', 'gray_200x150.jpg@32'])(`%s from the JPEG itself (sharp's decoder, not PIL's) is within mean |diff| ${JPEG_MEAN_TOLERANCE}`, async (key) => {
    const [file, size] = key.split('@');
    const transform = ClipImageTransform.fromPreprocessorConfig(siglipConfig(Number(size)));
    const { max, mean } = differences(transform.transform(await decodeImage(IMAGES + file)), expected.get(key)!.data as Float32Array);
    report.push(`  ${key.padEnd(28)} max ${max.toExponential(2)}  mean ${mean.toExponential(2)}  (JPEG decoder vs PIL's libjpeg)`);
    expect(mean).toBeLessThanOrEqual(JPEG_MEAN_TOLERANCE);
  });

  it("loads siglip-tiny's preprocessor_config.json (no do_convert_rgb: converted anyway) as the same preprocessing", async () => {
    const transform = await loadPreprocessorConfig(SIGLIP_TINY, 32);
    expect(transform.options).toEqual({
      size: { height: 32, width: 32 },
      cropSize: { height: 32, width: 32 },
      rescaleFactor: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    });
    const rgba = await decodeImage(`${IMAGES}square_224x224_rgba.png`);
    expect(differences(transform.transform(rgba), expected.get('square_224x224_rgba.png@32')!.data as Float32Array).max).toBeLessThanOrEqual(TOLERANCE);
  });
});
