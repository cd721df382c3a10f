import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { fakePlugins } from '../testing/fake-plugins.test-support.js';
import type { ModelConfig } from './clip-config.js';
import { hfModelTypes } from './hf-model-config.js';
import { parseClipConfig } from './parse-clip-config.js';
import { toHfModelConfig } from './to-hf-model-config.js';

/** A transformers config.json for the fake towers (hub configs list only non-default keys). */
const hfClip = {
  architectures: ['CLIPModel'],
  model_type: 'clip',
  projection_dim: 4,
  logit_scale_init_value: 2.5,
  torch_dtype: 'float32',
  vision_config: { image_size: 16, patch_size: 4, hidden_size: 8, num_attention_heads: 2, hidden_act: 'gelu' },
  text_config: { max_position_embeddings: 8, vocab_size: 20, hidden_size: 8, num_attention_heads: 2 },
};

const modelOf = (json: unknown): ModelConfig => parseClipConfig({ model: json }, fakePlugins).model;

function problemsOf(json: unknown): ConfigProblem[] {
  try {
    modelOf(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('a Hugging Face config.json as the model section', () => {
  it('is read by the tower plug-ins whose format has its model_type; generic keys are ignored', () => {
    expect(hfModelTypes(fakePlugins)).toEqual(['clip']);
    expect(modelOf(hfClip)).toEqual({
      embedDim: 4,
      logitScale: 2.5,
      logitBias: null,
      vision: { type: 'vit', imageSize: 16, patchSize: 4, width: 8, heads: 2, activation: 'gelu' },
      text: { type: 'transformer', contextLength: 8, vocabSize: 20, width: 8, heads: 2, activation: 'quick_gelu' },
    });
  });

  it('gives a model whose image tower has a logit bias (SiglipModel) the bias 0, for the weights to set', () => {
    // The fake towers' formats as a transformers model type with a logit_bias parameter.
    const withBias = fakePlugins.map((p) => {
      const hf = p.formats?.huggingface;
      return hf ? { ...p, formats: { ...p.formats, huggingface: { ...hf, modelType: 'siglip', architecture: 'SiglipModel', hasLogitBias: p.type === 'vit' } } } : p;
    });
    expect(parseClipConfig({ model: { ...hfClip, model_type: 'siglip' } }, withBias).model.logitBias).toBe(0);
    expect(modelOf(hfClip).logitBias).toBeNull();
  });

  it("reads a config without model_type as CLIP, and defaults projection_dim to transformers' 512", () => {
    const { model_type: _, projection_dim: __, ...legacy } = hfClip;
    expect(modelOf(legacy).embedDim).toBe(512);
  });

  it('names the model types the plug-ins read, and reports tower problems under the sub-config', () => {
    expect(problemsOf({ ...hfClip, model_type: 'siglip' })).toEqual([
      { path: 'model.model_type', message: 'no plug-in given reads Hugging Face model_type "siglip" (they read: clip)', value: 'siglip' },
    ]);
    expect(problemsOf({ ...hfClip, vision_config: { hidden_act: 'gelu_new' }, text_config: [] })).toEqual([
      { path: 'model.vision_config.hidden_act', message: 'must be "quick_gelu" or "gelu"', value: 'gelu_new' },
      { path: 'model.text_config', message: 'must be a JSON object', value: [] },
    ]);
  });
});

describe('toHfModelConfig', () => {
  it('writes a config.json that reads back to the same model, logit scale included', () => {
    const model = modelOf(hfClip);
    const written = toHfModelConfig(model, fakePlugins);
    expect(written).toEqual({ ...hfClip, text_config: { ...hfClip.text_config, hidden_act: 'quick_gelu' } }); // the default, written out
    expect(modelOf(written)).toEqual(model);
    const sharper = { ...model, logitScale: Math.log(50) };
    expect(modelOf(toHfModelConfig(sharper, fakePlugins))).toEqual(sharper);
  });

  it('refuses towers that no one transformers model type holds', () => {
    const model = modelOf(hfClip);
    const resnet = parseClipConfig({ model: { ...model, vision: { type: 'resnet', imageSize: 64 } } }, fakePlugins).model;
    expect(() => toHfModelConfig(resnet, fakePlugins)).toThrow(
      'model: transformers has no model with a resnet image tower with a transformer text tower; save it in the "open_clip" or "clipkit" layout',
    );
  });
});
