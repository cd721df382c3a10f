import { readFileSync } from 'node:fs';
import { initTfjs } from '@clipkit/backend-tfjs';
import {
  ConfigError,
  type ConfigProblem,
  hfNamesOf,
  hfStorageOf,
  loadStateDict,
  type ModelConfig,
  parseClipConfig,
  readSafetensors,
  SafetensorsFile,
  SeededRandom,
  toHfModelConfig,
  toOpenClipModelConfig,
} from '@clipkit/core';
import { plugins as textPlugins } from '@clipkit/text-transformer';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { VisionTransformer } from './vision-transformer.js';
import { plugins } from './vit-plugin.js';
import type { VitConfig } from './vit-schema.js';

// Truth: the fixtures' open_clip and Hugging Face configs (written by open_clip and transformers for the same
// models), open_clip's published ViT-B-32 config, and the Hugging Face fixture checkpoint with its reference outputs.

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
const PLUGINS = [...plugins, ...textPlugins];
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const openClipFixture = (name: string) => readJson(`${MODELS}/${name}/open_clip_config.json`);
const hfFixture = () => readJson(`${MODELS}/hf/vit-b-tiny-quickgelu/config.json`);
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

const TINY_VIT = { type: 'vit', imageSize: 32, patchSize: 8, width: 128, layers: 2, heads: 2, mlpWidth: 512, layerNormEps: 1e-5 };

describe("the ViT in open_clip's model configs", () => {
  it('reads the fixture ViTs (quick_gelu true and false)', () => {
    const quick = parseModel(openClipFixture('vit-b-tiny-quickgelu'));
    expect(quick.embedDim).toBe(64);
    expect(quick.vision).toEqual({ ...TINY_VIT, activation: 'quick_gelu' });
    expect(parseModel(openClipFixture('vit-b-tiny-gelu')).vision).toEqual({ ...TINY_VIT, activation: 'gelu' });
  });

  it("reads open_clip's ViT-B-32 config as published (open_clip's defaults: head_width 64, mlp_ratio 4, exact GELU)", () => {
    const vitB32 = {
      embed_dim: 512,
      vision_cfg: { image_size: 224, layers: 12, width: 768, patch_size: 32 },
      text_cfg: { context_length: 77, vocab_size: 49408, width: 512, heads: 8, layers: 12 },
    };
    expect(parseModel(vitB32).vision).toMatchObject({ heads: 12, mlpWidth: 3072, activation: 'gelu' });
  });

  it('rejects options clipkit does not implement, typos and a ViT without patch size, naming each', () => {
    const text = { width: 64, heads: 4 };
    const problems = problemsOf({ embed_dim: 64, vision_cfg: { layers: 2, width: 128, patch_size: 8, attentional_pool: true, pach_size: 8 }, text_cfg: text });
    expect(problems).toEqual([
      { path: 'model.vision_cfg.attentional_pool', message: 'clipkit supports only false here (attentional pooling is not implemented)', value: true },
      { path: 'model.vision_cfg.pach_size', message: expect.stringContaining('unknown key; allowed keys are layers, width, head_width') },
    ]);
    expect(problemsOf({ embed_dim: 64, vision_cfg: { layers: 2, width: 128, timm_model_name: 'vit_base_patch16_224' }, text_cfg: text })).toEqual([
      expect.objectContaining({ path: 'model.vision_cfg.timm_model_name', message: expect.stringContaining('timm towers is not implemented') }),
    ]);
    expect(problemsOf({ embed_dim: 64, vision_cfg: { layers: 2, width: 128, patch_size: null }, text_cfg: text })).toEqual([
      { path: 'model.vision_cfg.patch_size', message: 'is required for a Vision Transformer (vision_cfg.layers is a number)', value: null },
    ]);
  });

  it.each(['vit-b-tiny-quickgelu', 'vit-b-tiny-gelu'])('writes the %s fixture back as open_clip wrote it, and reads that back unchanged', (name) => {
    const model = parseModel(openClipFixture(name));
    const json = toOpenClipModelConfig(model, PLUGINS);
    expect(parseModel(json)).toEqual(model);
    const original = openClipFixture(name);
    expect(json.embed_dim).toBe(original.embed_dim);
    expect(json.quick_gelu).toBe(original.quick_gelu);
    expect(json.vision_cfg).toMatchObject(original.vision_cfg as object);
  });

  it('round-trips a non-default MLP ratio and head width', () => {
    const model = parseModel({ embed_dim: 512, vision_cfg: { image_size: 224, layers: 12, width: 768, patch_size: 32, mlp_ratio: 2.5, head_width: 96 }, text_cfg: {} });
    expect(model.vision).toMatchObject({ heads: 8, mlpWidth: 1920 });
    expect(parseModel(toOpenClipModelConfig(model, PLUGINS))).toEqual(model);
  });

  it('refuses what open_clip cannot express, naming the field', () => {
    const model = parseModel(openClipFixture('vit-b-tiny-quickgelu'));
    const vision = model.vision as VitConfig;
    const write = (v: Partial<VitConfig>) => () => toOpenClipModelConfig({ ...model, vision: { ...vision, ...v } }, PLUGINS);
    expect(write({ activation: 'gelu' })).toThrow(/model\.vision\.activation/);
    expect(write({ layerNormEps: 1e-6 })).toThrow(/model\.vision\.layerNormEps: LayerNorm epsilon 0\.000001 is not 1e-5/);
    expect(write({ heads: 3 })).toThrow(/model\.vision\.heads: 3 heads do not divide width 128/);
  });
});

describe('the ViT in Hugging Face CLIP configs', () => {
  it("reads the fixture's vision_config", () => {
    const model = parseModel(hfFixture());
    expect(model.embedDim).toBe(64);
    expect(model.vision).toEqual({ ...TINY_VIT, activation: 'quick_gelu' });
  });

  it("applies transformers' CLIPVisionConfig defaults to keys a hub config leaves out", () => {
    expect(parseModel({ model_type: 'clip', vision_config: { hidden_size: 768, hidden_act: null } }).vision).toEqual({
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
  });

  it('reads a config.json with any one field null as without it, or names the field in a ConfigError (issue 16)', () => {
    const fixture = hfFixture();
    const nulled: [string, Record<string, unknown>][] = [];
    for (const [key, value] of Object.entries(fixture)) {
      nulled.push([key, { ...fixture, [key]: null }]);
      if (typeof value === 'object' && value !== null) {
        for (const sub of Object.keys(value)) nulled.push([`${key}.${sub}`, { ...fixture, [key]: { ...value, [sub]: null } }]);
      }
    }
    expect(nulled.length).toBeGreaterThan(20);
    for (const [path, json] of nulled) {
      let parsed: ModelConfig | undefined;
      try {
        parsed = parseModel(json);
      } catch (error) {
        expect(error, path).toBeInstanceOf(ConfigError);
      }
      if (parsed) {
        const without = structuredClone(json);
        const [key, sub] = path.split('.');
        if (sub === undefined) delete without[key];
        else delete (without[key] as Record<string, unknown>)[sub];
        expect(parsed, path).toEqual(parseModel(without));
      }
    }
  });

  it("rejects activations that are not CLIP's and images that are not RGB", () => {
    expect(problemsOf({ model_type: 'clip', vision_config: { hidden_act: 'gelu_new', num_channels: 1 } })).toEqual([
      expect.objectContaining({ path: 'model.vision_config.hidden_act', value: 'gelu_new' }),
      expect.objectContaining({ path: 'model.vision_config.num_channels', message: 'must be 3 (RGB)', value: 1 }),
    ]);
  });

  it("writes the fixture's vision_config back as transformers wrote it", () => {
    const model = parseModel(hfFixture());
    const json = toHfModelConfig(model, PLUGINS);
    expect(parseModel(json)).toEqual(model);
    const original = hfFixture();
    expect(json.vision_config).toEqual(original.vision_config);
    for (const key of ['architectures', 'model_type', 'projection_dim', 'logit_scale_init_value', 'initializer_factor']) expect(json[key], key).toEqual(original[key]);
  });

  it('stores every ViT weight under the Hugging Face checkpoint names, each name once', async () => {
    const model = parseModel(hfFixture());
    const tower = new VisionTransformer(model.vision as VitConfig, model.embedDim, new SeededRandom(0));
    const storage = hfStorageOf(model, PLUGINS);
    const stored = [...tower.stateDict().keys()].flatMap((name) => hfNamesOf(storage(`visual.${name}`)!));
    tower.dispose();
    const file = await SafetensorsFile.open(`${MODELS}/hf/vit-b-tiny-quickgelu/model.safetensors`);
    const visionNames = file.names.filter((n) => (n.startsWith('vision_model.') || n.startsWith('visual_projection.')) && !n.endsWith('position_ids'));
    await file.close();
    expect(stored.sort()).toEqual(visionNames.sort());
  });

  it('loads the Hugging Face checkpoint through its storage and reproduces image_embeds (split q/k/v, transposed projection)', async () => {
    await initTfjs({ device: 'cpu', log: () => undefined });
    const model = parseModel(hfFixture());
    const tower = new VisionTransformer(model.vision as VitConfig, model.embedDim, new SeededRandom(0));
    const storage = hfStorageOf(model, PLUGINS);
    const file = await SafetensorsFile.open(`${MODELS}/hf/vit-b-tiny-quickgelu/model.safetensors`);
    const targets = new Map([...tower.stateDict()].map(([name, variable]) => [`visual.${name}`, variable]));
    await loadStateDict(targets, file, { storage, ignore: (name) => !name.startsWith('vision_model.') && !name.startsWith('visual_projection.') });
    await file.close();
    const pixelValues = (await readSafetensors(`${MODELS}/vit-b-tiny-quickgelu/inputs.safetensors`)).get('pixel_values')!;
    const expected = (await readSafetensors(`${MODELS}/vit-b-tiny-quickgelu/outputs.safetensors`)).get('image_embeds')!.data as Float32Array;
    const pixels = tf.tensor4d(pixelValues.data as Float32Array, pixelValues.shape as [number, number, number, number]);
    const embeds = await tower.encode(pixels);
    const got = embeds.dataSync();
    const scale = Math.max(1, ...Array.from(expected, Math.abs));
    const error = Math.max(...Array.from(expected, (v, i) => Math.abs(got[i] - v)));
    expect(error).toBeLessThanOrEqual(1e-4 * scale);
    tf.dispose([pixels, embeds]);
    tower.dispose();
  });
});
