import { ConfigError, type ConfigProblem, parseClipConfig } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { plugins } from './vit-plugin.js';

// The text section stays unchecked without its plug-in: only the vision section is under test here.
const model = (vision: object) => ({ embedDim: 64, vision: { type: 'vit', ...vision }, text: { type: 'transformer' } });

function problemsOf(vision: object): ConfigProblem[] {
  try {
    parseClipConfig({ model: model(vision) }, plugins);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('vitSchema', () => {
  it("fills OpenAI's defaults, the head count and MLP width from the width", () => {
    expect(parseClipConfig({ model: model({}) }, plugins).model.vision).toEqual({
      type: 'vit',
      imageSize: 224,
      patchSize: 32,
      width: 768,
      layers: 12,
      heads: 12,
      mlpWidth: 3072,
      layerNormEps: 1e-5,
      activation: 'quick_gelu',
    });
    expect(parseClipConfig({ model: model({ imageSize: 32, patchSize: 8, width: 96 }) }, plugins).model.vision).toMatchObject({ heads: 1, mlpWidth: 384 });
  });

  it.each([
    ['a patch that does not divide the image', { imageSize: 32, patchSize: 7 }, { path: 'model.vision.patchSize', message: 'must divide imageSize (32)', value: 7 }],
    ['heads that do not divide the width', { width: 96, heads: 5 }, { path: 'model.vision.heads', message: 'must divide width (96)', value: 5 }],
    ['a default head count that does not divide the width', { width: 200 }, { path: 'model.vision.heads', message: 'must divide width (200)', value: 3 }],
    ["an activation that is not CLIP's", { activation: 'relu' }, { path: 'model.vision.activation', value: 'relu' }],
    ['a width beyond what runs', { width: 1e6 }, { path: 'model.vision.width', value: 1e6 }],
    ['an unknown key', { widht: 64 }, { path: 'model.vision.widht', message: expect.stringContaining('unknown key; allowed keys are type, imageSize, patchSize, width') }],
  ])('rejects %s, naming the field and the value', (_name, vision, expected) => {
    expect(problemsOf(vision)).toEqual([expect.objectContaining(expected)]);
  });
});

describe('what can run (issue 16)', () => {
  const training =
    (vision: object, train: object = {}) =>
    () =>
      parseClipConfig({ model: model(vision), train }, plugins);

  it('refuses the values that crashed or hung, each naming its field', () => {
    expect(problemsOf({ width: 2 ** 31 })[0].path).toBe('model.vision.width');
    expect(() => parseClipConfig({ model: { ...model({}), embedDim: 1e9 } }, plugins)).toThrow(/model\.embedDim: .*65536/);
    expect(training({}, { batchSize: 1e12 })).toThrow(/train\.batchSize: .*65536/);
    // imageSize 1024 at patch size 8: 16,385 tokens, a 137 GB attention map for a batch of 64 (the RangeError).
    expect(training({ imageSize: 1024, patchSize: 8, width: 128, layers: 4, heads: 2 }, { batchSize: 64 })).toThrow(
      /train\.batchSize: a micro-batch of 64 makes a tensor of 128\.0 GB in model\.vision/,
    );
  });

  it('takes the same image size when a micro-batch fits, and does not check training for a model alone', () => {
    const tiny = { imageSize: 1024, patchSize: 8, width: 128, layers: 4, heads: 2 };
    // 2 heads x 16,385^2 x 4 bytes = 2.1 GB per sample: one at a time is possible.
    expect(training(tiny, { batchSize: 64, accumulationSteps: 64 })().train.accumulationSteps).toBe(64);
    expect(training({ imageSize: 1024, patchSize: 32, width: 128, layers: 4, heads: 2 }, { batchSize: 64 })().model.vision.imageSize).toBe(1024);
    expect(parseClipConfig({ model: model(tiny) }, plugins).model.vision.imageSize).toBe(1024);
  });

  it('refuses a model whose weights alone exceed any machine, before allocating them', () => {
    const problems = problemsOf({ width: 16384, layers: 512, heads: 256 });
    expect(problems[0].path).toBe('model');
    expect(problems[0].message).toMatch(/about 1\.6\de\+12 parameters, \d+\.\d GB of float32 weights, more than this machine's/);
  });
});
