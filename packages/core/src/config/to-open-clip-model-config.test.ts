import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from './parse-clip-config.js';
import { toOpenClipModelConfig } from './to-open-clip-model-config.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
const fixture = (name: string) => JSON.parse(readFileSync(`${MODELS}/${name}/open_clip_config.json`, 'utf8')) as unknown;

describe('toOpenClipModelConfig', () => {
  it.each(['vit-b-tiny-quickgelu', 'vit-b-tiny-gelu', 'rn-tiny'])('round-trips the %s fixture config', (name) => {
    const model = parseModelConfig(fixture(name));
    const json = toOpenClipModelConfig(model);
    expect(parseModelConfig(json)).toEqual(model);
    // The fields open_clip's fixture states are written back unchanged.
    const original = fixture(name) as { embed_dim: number; quick_gelu: boolean; vision_cfg: Record<string, unknown>; text_cfg: Record<string, unknown> };
    expect(json.embed_dim).toBe(original.embed_dim);
    expect(json.quick_gelu).toBe(original.quick_gelu);
    expect(json.vision_cfg).toMatchObject(original.vision_cfg);
    expect(json.text_cfg).toMatchObject(original.text_cfg);
  });

  it('round-trips open_clip ViT-B-32 and RN50 shapes with a non-default MLP ratio', () => {
    const vit = parseModelConfig({
      embed_dim: 512,
      vision_cfg: { image_size: 224, layers: 12, width: 768, patch_size: 32 },
      text_cfg: { width: 512, heads: 8, layers: 12, mlp_ratio: 2.5 },
    });
    expect(parseModelConfig(toOpenClipModelConfig(vit))).toEqual(vit);
    const rn = parseModelConfig({ embed_dim: 1024, quick_gelu: true, vision_cfg: { image_size: 224, layers: [3, 4, 6, 3], width: 64, patch_size: null }, text_cfg: {} });
    expect(parseModelConfig(toOpenClipModelConfig(rn))).toEqual(rn);
  });

  it('refuses what open_clip cannot express, naming the field', () => {
    const model = parseModelConfig(fixture('vit-b-tiny-quickgelu'));
    expect(() => toOpenClipModelConfig({ ...model, vision: { ...model.vision, activation: 'gelu' } as typeof model.vision })).toThrow(/model\.vision\.activation/);
    expect(() => toOpenClipModelConfig({ ...model, text: { ...model.text, layerNormEps: 1e-6 } })).toThrow(/model\.text\.layerNormEps/);
    expect(() => toOpenClipModelConfig({ ...model, text: { ...model.text, eosTokenId: 999 } })).toThrow(/model\.text\.eosTokenId/);
  });
});
