import { initTfjs } from '@clipkit/backend-tfjs';
import {
  ConfigError,
  type ConfigProblem,
  hfNamesOf,
  hfStorageOf,
  type ModelConfig,
  parseClipConfig,
  readJsonConfig,
  SafetensorsFile,
  SeededRandom,
  toHfModelConfig,
} from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { SIGLIP_TINY } from './siglip-fixture.test-support.js';
import { plugins } from './siglip-plugins.js';
import type { SiglipTextConfig } from './siglip-text-schema.js';
import { SiglipTextTransformer } from './siglip-text-transformer.js';
import type { SiglipVisionConfig } from './siglip-vision-schema.js';
import { SiglipVisionTransformer } from './siglip-vision-transformer.js';

const parseModel = (json: unknown): ModelConfig => parseClipConfig({ model: json }, plugins).model;
const fixtureJson = (): Record<string, unknown> => readJsonConfig(`${SIGLIP_TINY}/config.json`, (json) => json as Record<string, unknown>);

function problemsOf(json: unknown): ConfigProblem[] {
  try {
    parseModel(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

const TINY_VISION = { type: 'siglip', imageSize: 32, patchSize: 8, width: 64, layers: 2, heads: 4, mlpWidth: 128, layerNormEps: 1e-6, activation: 'gelu_tanh' };
const TINY_TEXT = { type: 'siglip', contextLength: 16, vocabSize: 1000, width: 64, layers: 2, heads: 4, mlpWidth: 128, layerNormEps: 1e-6, activation: 'gelu_tanh' };

describe('SigLIP in Hugging Face configs', () => {
  it("reads the fixture's config.json: both towers, the width as embedDim, a logit bias to load", () => {
    expect(parseModel(fixtureJson())).toEqual({ embedDim: 64, logitScale: Math.log(1 / 0.07), logitBias: 0, vision: TINY_VISION, text: TINY_TEXT });
  });

  it("applies SiglipVisionConfig's and SiglipTextConfig's defaults to what a hub config leaves out", () => {
    // google/siglip-base-patch16-224's config.json lists only what differs from the defaults.
    const model = parseModel({
      architectures: ['SiglipModel'],
      model_type: 'siglip',
      initializer_factor: 1.0,
      text_config: { model_type: 'siglip_text_model' },
      vision_config: { model_type: 'siglip_vision_model' },
    });
    expect(model.embedDim).toBe(768);
    expect(model.vision).toEqual({ type: 'siglip', imageSize: 224, patchSize: 16, width: 768, layers: 12, heads: 12, mlpWidth: 3072, layerNormEps: 1e-6, activation: 'gelu_tanh' });
    expect(model.text).toEqual({
      type: 'siglip',
      contextLength: 64,
      vocabSize: 32000,
      width: 768,
      layers: 12,
      heads: 12,
      mlpWidth: 3072,
      layerNormEps: 1e-6,
      activation: 'gelu_tanh',
    });
    // siglip-so400m-patch14-384: another width, odd MLP width; gelu_new is the same tanh GELU.
    const so400m = parseModel({
      model_type: 'siglip',
      vision_config: { hidden_size: 1152, intermediate_size: 4304, num_hidden_layers: 27, num_attention_heads: 16, image_size: 384, patch_size: 14, hidden_act: 'gelu_new' },
      text_config: { hidden_size: 1152, intermediate_size: 4304, num_hidden_layers: 27, num_attention_heads: 16 },
    });
    expect([so400m.embedDim, so400m.vision.imageSize, (so400m.vision as SiglipVisionConfig).activation, (so400m.text as SiglipTextConfig).mlpWidth]).toEqual([
      1152,
      384,
      'gelu_tanh',
      4304,
    ]);
  });

  it('takes projection_size as the text head width, and rejects what the towers cannot run, naming each key', () => {
    expect(
      parseModel({
        model_type: 'siglip',
        vision_config: { hidden_size: 64, num_attention_heads: 4 },
        text_config: { hidden_size: 32, num_attention_heads: 4, projection_size: 64 },
      }).embedDim,
    ).toBe(64);
    expect(problemsOf({ model_type: 'siglip', vision_config: { hidden_act: 'relu', num_channels: 1, vision_use_head: false }, text_config: { layer_norm_eps: 0 } })).toEqual([
      expect.objectContaining({ path: 'model.vision_config.hidden_act', value: 'relu' }),
      expect.objectContaining({ path: 'model.vision_config.num_channels', message: 'must be 3 (RGB)', value: 1 }),
      expect.objectContaining({ path: 'model.vision_config.vision_use_head', message: expect.stringContaining('pooling head is not implemented'), value: false }),
      expect.objectContaining({ path: 'model.text_config.layer_norm_eps', value: 0 }),
    ]);
  });

  it('writes a config.json transformers reads as the same SiglipModel, and that reads back unchanged', () => {
    const model = parseModel(fixtureJson());
    const json = toHfModelConfig(model, plugins);
    expect(parseModel(json)).toEqual(model);
    expect([json.architectures, json.model_type]).toEqual([['SiglipModel'], 'siglip']);
    const original = fixtureJson();
    for (const tower of ['vision_config', 'text_config'] as const) {
      const written = json[tower] as Record<string, unknown>;
      for (const [key, value] of Object.entries(written)) expect(value, `${tower}.${key}`).toEqual((original[tower] as Record<string, unknown>)[key]);
    }
    const wider = { ...model, embedDim: 64, text: { ...model.text, width: 32, heads: 2 } };
    expect((toHfModelConfig(wider, plugins).text_config as Record<string, unknown>).projection_size).toBe(64);
    expect(() => toHfModelConfig({ ...model, embedDim: 32 }, plugins)).toThrow(/model\.embedDim 32 is not model\.vision\.width 64/);
  });

  it('stores every tower weight under its transformers name, each name once, and logit_scale / logit_bias', async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
    const model = parseModel(fixtureJson());
    const vision = new SiglipVisionTransformer(model.vision as SiglipVisionConfig, 64, new SeededRandom(0));
    const text = new SiglipTextTransformer(model.text as SiglipTextConfig, 64, new SeededRandom(0));
    const storage = hfStorageOf(model, plugins);
    const names = [...[...vision.stateDict().keys()].map((n) => `visual.${n}`), ...text.stateDict().keys(), 'logit_scale', 'logit_bias'];
    const stored = names.flatMap((name) => hfNamesOf(storage(name)!));
    vision.dispose();
    text.dispose();
    const file = await SafetensorsFile.open(`${SIGLIP_TINY}/model.safetensors`);
    const inFile = [...file.names];
    await file.close();
    expect(stored.sort()).toEqual(inFile.sort());
  });
});
