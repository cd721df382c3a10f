import { describe, expect, it } from 'vitest';
import { definePlugin } from '../di/plugin.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { fakePlugins, fakeTextPlugin, fakeVitPlugin, fakeVitSchema } from '../testing/fake-plugins.test-support.js';
import type { ModelConfig } from './clip-config.js';
import { parseClipConfig } from './parse-clip-config.js';
import { toOpenClipModelConfig } from './to-open-clip-model-config.js';

/** An open_clip model config (src/open_clip/model_configs/*.json) for the fake towers. */
const openClipVit = {
  embed_dim: 4,
  quick_gelu: true,
  vision_cfg: { image_size: 16, patch_size: 4, width: 8 },
  text_cfg: { context_length: 8, vocab_size: 20, width: 8, heads: 2 },
};

const modelOf = (json: unknown, plugins = fakePlugins): ModelConfig => parseClipConfig({ model: json }, plugins).model;

function problemsOf(json: unknown, plugins = fakePlugins): ConfigProblem[] {
  try {
    modelOf(json, plugins);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe("open_clip's model config as the model section", () => {
  it('is read by the tower plug-ins, with the model-wide quick_gelu passed to both', () => {
    expect(modelOf(openClipVit)).toEqual({
      embedDim: 4,
      logitScale: Math.log(1 / 0.07),
      logitBias: null,
      vision: { type: 'vit', imageSize: 16, patchSize: 4, width: 8, heads: 2, activation: 'quick_gelu' },
      text: { type: 'transformer', contextLength: 8, vocabSize: 20, width: 8, heads: 2, activation: 'quick_gelu' },
    });
    const gelu = modelOf({ ...openClipVit, quick_gelu: undefined });
    expect([gelu.vision.activation, gelu.text.activation]).toEqual(['gelu', 'gelu']);
  });

  it("takes the logit parameters' initial values, and accepts the keys clipkit ignores", () => {
    const siglip = modelOf({ ...openClipVit, init_logit_scale: Math.log(10), init_logit_bias: -10, cast_dtype: 'fp16', custom_text: true });
    expect([siglip.logitScale, siglip.logitBias]).toEqual([Math.log(10), -10]);
  });

  it('gives each tower cfg to the first plug-in that claims it (a list of layers is a ModifiedResNet)', () => {
    const model = modelOf({ ...openClipVit, vision_cfg: { image_size: 64, layers: [1, 2, 1, 1], width: 8 } });
    expect(model.vision).toEqual({ type: 'resnet', imageSize: 64, layers: [1, 2, 1, 1], width: 8 });
  });

  it("reports the towers' problems under the cfg's path, and unknown model keys, all at once", () => {
    const json = { ...openClipVit, quick_gelu: 'yes', vision_cfg: { ...openClipVit.vision_cfg, attentional_pool: true }, text_cfg: 3, init_logit_sclae: 1 };
    expect(problemsOf(json)).toEqual([
      { path: 'model.init_logit_sclae', message: expect.stringMatching(/^unknown key; open_clip model configs have embed_dim, quick_gelu, vision_cfg, text_cfg/) },
      { path: 'model.quick_gelu', message: 'must be true or false', value: 'yes' },
      { path: 'model.vision_cfg.attentional_pool', message: 'is not implemented by the fake tower' },
      { path: 'model.text_cfg', message: 'must be a JSON object', value: 3 },
    ]);
  });

  it('names the tower types the given plug-ins read when none claims a cfg', () => {
    expect(problemsOf({ ...openClipVit, vision_cfg: { layers: [1, 1, 1, 1] } }, [fakeVitPlugin, fakeTextPlugin])).toEqual([
      { path: 'model.vision_cfg', message: 'no tower plug-in reads this open_clip vision_cfg (the plug-ins given read: vit)' },
    ]);
  });

  it("validates what the towers read against their schemas, under clipkit's paths", () => {
    expect(problemsOf({ ...openClipVit, vision_cfg: { ...openClipVit.vision_cfg, patch_size: 5 } })).toEqual([
      { path: 'model.vision.patchSize', message: 'must divide imageSize (16)', value: 5 },
    ]);
  });
});

describe('toOpenClipModelConfig', () => {
  it('writes a config that reads back to the same model, logit parameters included', () => {
    for (const json of [openClipVit, { ...openClipVit, quick_gelu: false, vision_cfg: { image_size: 64, layers: [1, 2, 1, 1], width: 8 } }]) {
      const model = modelOf(json);
      const written = toOpenClipModelConfig(model, fakePlugins);
      expect(written).toMatchObject(json);
      expect(modelOf(written)).toEqual(model);
    }
    const siglip = modelOf({ ...openClipVit, init_logit_scale: Math.log(10), init_logit_bias: -10 });
    const written = toOpenClipModelConfig(siglip, fakePlugins);
    expect(written).toMatchObject({ init_logit_scale: Math.log(10), init_logit_bias: -10 });
    expect(modelOf(written)).toEqual(siglip);
    // open_clip creates logit_bias only when the config sets init_logit_bias, and defaults the scale itself.
    expect(Object.keys(toOpenClipModelConfig(modelOf(openClipVit), fakePlugins))).toEqual(['embed_dim', 'quick_gelu', 'vision_cfg', 'text_cfg']);
  });

  it("refuses what open_clip's one quick_gelu switch cannot express, and towers without an open_clip layout", () => {
    const model = modelOf(openClipVit);
    expect(() => toOpenClipModelConfig({ ...model, vision: { ...model.vision, activation: 'gelu' } }, fakePlugins)).toThrow(/different activations.*"clipkit" layout/);
    const noFormats = definePlugin({ ...fakeVitPlugin, schema: fakeVitSchema, formats: undefined });
    expect(() => toOpenClipModelConfig(model, [noFormats, fakeTextPlugin])).toThrow('model.vision.type "vit" has no open_clip layout; save in the "clipkit" layout instead');
  });
});
