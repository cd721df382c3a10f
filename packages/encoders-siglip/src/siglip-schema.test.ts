import { ConfigError, type ConfigProblem, parseClipConfig } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { plugins } from './siglip-plugins.js';

const model = (vision: object, text: object = {}) => ({ embedDim: 768, vision: { type: 'siglip', ...vision }, text: { type: 'siglip', ...text } });

function problemsOf(vision: object, text: object = {}): ConfigProblem[] {
  try {
    parseClipConfig({ model: model(vision, text) }, plugins);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('the SigLIP sections', () => {
  it("fill SiglipVisionConfig's and SiglipTextConfig's defaults (google/siglip-base-patch16-224)", () => {
    const { vision, text } = parseClipConfig({ model: model({}) }, plugins).model;
    expect(vision).toEqual({ type: 'siglip', imageSize: 224, patchSize: 16, width: 768, layers: 12, heads: 12, mlpWidth: 3072, layerNormEps: 1e-6, activation: 'gelu_tanh' });
    expect(text).toEqual({ type: 'siglip', contextLength: 64, vocabSize: 32000, width: 768, layers: 12, heads: 12, mlpWidth: 3072, layerNormEps: 1e-6, activation: 'gelu_tanh' });
  });

  it('derive heads and MLP width from the width when not given', () => {
    const { vision, text } = parseClipConfig({ model: model({ width: 128 }, { width: 256, heads: 8 }) }, plugins).model;
    expect([vision.heads, vision.mlpWidth, text.heads, text.mlpWidth]).toEqual([2, 512, 8, 1024]);
  });

  it.each([
    ['a patch larger than the image', { imageSize: 32, patchSize: 33 }, {}, { path: 'model.vision.patchSize', message: 'must be at most imageSize (32)', value: 33 }],
    ['heads that do not divide the width', { width: 96, heads: 5 }, {}, { path: 'model.vision.heads', message: 'must divide width (96)', value: 5 }],
    ['text heads that do not divide the width', {}, { width: 96, heads: 5 }, { path: 'model.text.heads', message: 'must divide width (96)', value: 5 }],
    ['an activation no layer has', { activation: 'relu' }, {}, { path: 'model.vision.activation', value: 'relu' }],
    ['a LayerNorm epsilon of 0', {}, { layerNormEps: 0 }, { path: 'model.text.layerNormEps', value: 0 }],
    ['a vocabulary beyond what runs', {}, { vocabSize: 1e6 }, { path: 'model.text.vocabSize', value: 1e6 }],
    ['an unknown key', { widht: 64 }, {}, { path: 'model.vision.widht', message: expect.stringContaining('unknown key; allowed keys are type, imageSize, patchSize, width') }],
  ])('reject %s, naming the field and the value', (_name, vision, text, expected) => {
    expect(problemsOf(vision, text)).toEqual([expect.objectContaining(expected)]);
  });
});
