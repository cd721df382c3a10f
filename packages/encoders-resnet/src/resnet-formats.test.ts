import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigProblem, type ModelConfig, parseClipConfig, toHfModelConfig, toOpenClipModelConfig } from '@clipkit/core';
import { plugins as textPlugins } from '@clipkit/text-transformer';
import { describe, expect, it } from 'vitest';
import { plugins } from './resnet-plugin.js';
import type { ResNetConfig } from './resnet-schema.js';

// Truth: the rn-tiny fixture's open_clip config (written by open_clip) and open_clip's published RN50 config.

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
const PLUGINS = [...plugins, ...textPlugins];
const rnTiny = () => JSON.parse(readFileSync(`${MODELS}/rn-tiny/open_clip_config.json`, 'utf8')) as Record<string, unknown>;
const parseModel = (json: unknown): ModelConfig => parseClipConfig({ model: json }, PLUGINS).model;

function problemsOf(json: unknown): ConfigProblem[] {
  try {
    parseModel(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

const RN50 = { embed_dim: 1024, quick_gelu: true, vision_cfg: { image_size: 224, layers: [3, 4, 6, 3], width: 64, head_width: 64, patch_size: null }, text_cfg: {} };

describe("the ModifiedResNet in open_clip's model configs", () => {
  it('reads a vision_cfg whose layers are a list (open_clip builds a ModifiedResNet from it)', () => {
    expect(parseModel(rnTiny()).vision).toEqual({ type: 'resnet', imageSize: 64, layers: [1, 2, 1, 1], width: 16, heads: 8 });
    expect(parseModel(RN50).vision).toEqual({ type: 'resnet', imageSize: 224, layers: [3, 4, 6, 3], width: 64, heads: 32 });
  });

  it('rejects options clipkit does not implement and lists of the wrong length, naming each', () => {
    expect(problemsOf({ ...RN50, vision_cfg: { ...RN50.vision_cfg, attentional_pool: true } })).toEqual([
      { path: 'model.vision_cfg.attentional_pool', message: 'clipkit supports only false here (attentional pooling is not implemented)', value: true },
    ]);
    expect(problemsOf({ ...RN50, vision_cfg: { ...RN50.vision_cfg, layers: [3, 4, 6] } })).toEqual([
      expect.objectContaining({ path: 'model.vision_cfg.layers', value: [3, 4, 6] }),
    ]);
  });

  it.each([
    ['rn-tiny', rnTiny()],
    ['RN50', RN50],
  ])('writes %s back as open_clip wrote it, and reads that back unchanged', (_name, json) => {
    const model = parseModel(json);
    const written = toOpenClipModelConfig(model, PLUGINS);
    expect(parseModel(written)).toEqual(model);
    expect(written.vision_cfg).toEqual(json.vision_cfg);
    expect(written.quick_gelu).toBe(json.quick_gelu);
  });

  it('refuses heads that give no integer head_width, naming the field', () => {
    const model = parseModel(rnTiny());
    expect(() => toOpenClipModelConfig({ ...model, vision: { ...(model.vision as ResNetConfig), heads: 3 } }, PLUGINS)).toThrow(
      /model\.vision\.heads: 3 heads do not divide the attention pool width 512/,
    );
  });
});

describe('the ModifiedResNet and Hugging Face', () => {
  it('has no Hugging Face layout: transformers has no ResNet CLIP', () => {
    expect(() => toHfModelConfig(parseModel(rnTiny()), PLUGINS)).toThrow(/transformers has no model with a resnet image tower/);
  });
});
