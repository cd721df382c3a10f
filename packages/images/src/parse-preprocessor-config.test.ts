import { readFile } from 'node:fs/promises';
import { ConfigError } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { CLIP_MEAN, CLIP_STD } from './clip-mean-std.js';
import { parsePreprocessorConfig } from './parse-preprocessor-config.js';

const HF_CONFIG = `${process.env.CLIPKIT_SHARED}/fixtures/models/hf/vit-b-tiny-quickgelu/preprocessor_config.json`;
const SIGLIP_CONFIG = `${process.env.CLIPKIT_SHARED}/fixtures/models/siglip-tiny/preprocessor_config.json`;

/** The ConfigError a config raises, so its problems can be inspected. */
function problemsOf(json: unknown): { path: string; message: string }[] {
  try {
    parsePreprocessorConfig(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('parsePreprocessorConfig', () => {
  it('reads the fixture HF CLIPImageProcessor config ({shortest_edge}, {height, width})', async () => {
    const options = parsePreprocessorConfig(JSON.parse(await readFile(HF_CONFIG, 'utf8')));
    expect(options).toEqual({ size: 32, cropSize: { height: 32, width: 32 }, rescaleFactor: 1 / 255, mean: [...CLIP_MEAN], std: [...CLIP_STD] });
  });

  it('reads the older CLIPFeatureExtractor form with plain numbers, and defaults missing fields to CLIP', () => {
    const options = parsePreprocessorConfig({ feature_extractor_type: 'CLIPFeatureExtractor', size: 336, crop_size: 336, resample: 3 });
    expect(options).toMatchObject({ size: 336, cropSize: { height: 336, width: 336 }, mean: CLIP_MEAN, std: CLIP_STD });
    expect(parsePreprocessorConfig({})).toMatchObject({ size: 224, cropSize: { height: 224, width: 224 } });
  });

  it('turns do_resize, do_rescale and do_normalize off into no resize, factor 1, mean 0 / std 1', () => {
    expect(parsePreprocessorConfig({ do_resize: false, do_rescale: false, do_normalize: false, image_mean: [0.5, 0.5, 0.5] })).toMatchObject({
      size: null,
      rescaleFactor: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });
    expect(parsePreprocessorConfig({ rescale_factor: 0.5, image_mean: 0.5, image_std: 0.25, crop_size: { height: 20, width: 30 } })).toMatchObject({
      rescaleFactor: 0.5,
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
      cropSize: { height: 20, width: 30 },
    });
  });

  it('rejects options it does not implement, naming each field', () => {
    expect(problemsOf({ resample: 2 })).toEqual([expect.objectContaining({ path: 'resample', message: expect.stringMatching(/3 \(bicubic\)/) })]);
    expect(problemsOf({ do_center_crop: false }).map((p) => p.path)).toEqual(['do_center_crop']);
    expect(problemsOf({ do_convert_rgb: false }).map((p) => p.path)).toEqual(['do_convert_rgb']);
    expect(problemsOf({ size: { longest_edge: 224 } }).map((p) => p.path)).toEqual(['size']);
    expect(problemsOf({ default_to_square: true }).map((p) => p.path)).toEqual(['default_to_square']);
    expect(problemsOf({ image_processor_type: 'ViTImageProcessor' }).map((p) => p.path)).toEqual(['image_processor_type']);
    expect(problemsOf({ do_pad: true }).map((p) => p.path)).toEqual(['do_pad']);
  });

  it('reads an exact {height, width} resize for CLIP too, then crops (or not, when the resize fixes the size)', () => {
    expect(parsePreprocessorConfig({ size: { height: 40, width: 30 }, crop_size: 24 })).toMatchObject({ size: { height: 40, width: 30 }, cropSize: { height: 24, width: 24 } });
    expect(parsePreprocessorConfig({ size: { height: 40, width: 30 }, do_center_crop: false })).toMatchObject({
      size: { height: 40, width: 30 },
      cropSize: { height: 40, width: 30 },
    });
  });

  it("reads SiglipImageProcessor's config: exact resize, no crop, mean = std = 0.5 by default", async () => {
    const options = parsePreprocessorConfig(JSON.parse(await readFile(SIGLIP_CONFIG, 'utf8')));
    expect(options).toEqual({ size: { height: 32, width: 32 }, cropSize: { height: 32, width: 32 }, rescaleFactor: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(parsePreprocessorConfig({ image_processor_type: 'SiglipImageProcessor' })).toEqual({
      size: { height: 224, width: 224 },
      cropSize: { height: 224, width: 224 },
      rescaleFactor: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    });
    expect(parsePreprocessorConfig({ image_processor_type: 'SiglipImageProcessorFast', size: { height: 384, width: 384 }, do_convert_rgb: null })).toMatchObject({
      cropSize: { height: 384, width: 384 },
    });
  });

  it('rejects what SiglipImageProcessor does not read, naming each field', () => {
    const siglip = (fields: object) => problemsOf({ image_processor_type: 'SiglipImageProcessor', ...fields }).map((p) => p.path);
    expect(siglip({ size: 224 })).toEqual(['size']); // it reads size["height"], size["width"]
    expect(siglip({ size: { shortest_edge: 224 } })).toEqual(['size']);
    expect(siglip({ crop_size: 224, do_center_crop: true })).toEqual(['crop_size', 'do_center_crop']);
  });

  it('lists every bad value at once', () => {
    const problems = problemsOf({
      size: { shortest_edge: 0 },
      crop_size: { height: 32, width: 'wide' },
      image_std: [0.2, 0, 0.2],
      image_mean: [1, 2],
      rescale_factor: -1,
      do_resize: 'yes',
    });
    expect(problems.map((p) => p.path).sort()).toEqual(['crop_size.width', 'do_resize', 'image_mean', 'image_std', 'rescale_factor', 'size.shortest_edge']);
  });

  it('names the file in the message', () => {
    expect(() => parsePreprocessorConfig({ resample: 0 }, '/models/x/preprocessor_config.json')).toThrow(/\/models\/x\/preprocessor_config\.json[\s\S]*resample/);
    expect(() => parsePreprocessorConfig([1, 2])).toThrow(/must be a JSON object/);
  });
});
