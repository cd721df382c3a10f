import { initTfjs } from '@clipkit/backend-tfjs';
import { type ClipConfig, type HostTensor, type ModelConfig, parseClipConfig, readJsonConfig, readSafetensors, SeededRandom, TRAINABLE_IMAGE_ENCODER } from '@clipkit/core';
import { plugins as textPlugins } from '@clipkit/text-transformer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { VisionTransformer } from './vision-transformer.js';
import { plugins, vitPlugin } from './vit-plugin.js';
import type { VitConfig } from './vit-schema.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models/`;
const PLUGINS = [...plugins, ...textPlugins];

/** A fixture's open_clip config as a clipkit config, through the plug-ins' formats and schemas. */
const fixtureConfig = (fixture: string, train: object = {}): ClipConfig =>
  readJsonConfig(`${MODELS}${fixture}/open_clip_config.json`, (json, source) => parseClipConfig({ model: json, train }, PLUGINS, source));

/** The fixtures' bound (fixtures/README.md): max|a - ref| <= 1e-4 * max(1, max|ref|) per tensor. */
function expectClose(actual: tf.Tensor, ref: HostTensor, what: string): void {
  expect(actual.shape, what).toEqual(ref.shape);
  const got = actual.dataSync();
  const want = ref.data as Float32Array;
  let error = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    error = Math.max(error, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  expect(error, what).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
}

/** Assigns every variable of the tower from `prefix + name` in the checkpoint; fails on missing or misshaped tensors. */
function loadInto(tower: VisionTransformer, weights: Map<string, HostTensor>, prefix: string): void {
  for (const [name, variable] of tower.stateDict()) {
    const stored = weights.get(prefix + name);
    expect(stored, `${prefix + name} in the checkpoint`).toBeDefined();
    expect(stored!.shape, prefix + name).toEqual(variable.shape);
    variable.assign(tf.tensor(stored!.data as Float32Array, stored!.shape));
  }
}

const SMALL: VitConfig = { type: 'vit', imageSize: 16, patchSize: 8, width: 32, layers: 2, heads: 2, mlpWidth: 64, layerNormEps: 1e-5, activation: 'gelu' };

// Each fixture on wasm and on the cpu backend (tiny models: cheap).
const FIXTURE_CASES = ['vit-b-tiny-quickgelu', 'vit-b-tiny-gelu'].flatMap((fixture) => (['wasm', 'cpu'] as const).map((device) => [fixture, device] as const));

describe.each(FIXTURE_CASES)('VisionTransformer against OpenAI CLIP (%s on %s)', (fixture, device) => {
  let model: ModelConfig;
  let weights: Map<string, HostTensor>;
  let inputs: Map<string, HostTensor>;
  let outputs: Map<string, HostTensor>;
  let tower: VisionTransformer;
  let pixels: tf.Tensor4D;

  beforeAll(async () => {
    await initTfjs({ device, log: () => undefined });
    model = fixtureConfig(fixture).model;
    weights = await readSafetensors(`${MODELS}${fixture}/model.safetensors`);
    inputs = await readSafetensors(`${MODELS}${fixture}/inputs.safetensors`);
    outputs = await readSafetensors(`${MODELS}${fixture}/outputs.safetensors`);
    tower = new VisionTransformer(model.vision as VitConfig, model.embedDim, new SeededRandom(0));
    loadInto(tower, weights, 'visual.');
    const pixelValues = inputs.get('pixel_values')!;
    pixels = tf.tensor4d(pixelValues.data as Float32Array, pixelValues.shape as [number, number, number, number]);
    return () => {
      tower.dispose();
      pixels.dispose();
    };
  });

  it('names its state exactly as OpenAI, without the visual. prefix', () => {
    const ours = [...tower.stateDict().keys()].map((name) => `visual.${name}`).sort();
    expect(ours).toEqual([...weights.keys()].filter((name) => name.startsWith('visual.')).sort());
  });

  it('encodes images to image_embeds', async () => {
    const embeds = await tower.encode(pixels);
    expectClose(embeds, outputs.get('image_embeds')!, 'image_embeds');
    embeds.dispose();
  });

  it('matches every intermediate', () => {
    tf.tidy(() => {
      const embedded = tower.embed(pixels);
      expectClose(embedded, outputs.get('vision_embeddings')!, 'vision_embeddings');
      let hidden = tower.lnPre.apply(embedded);
      expectClose(hidden, outputs.get('vision_hidden_after_ln_pre')!, 'vision_hidden_after_ln_pre');
      tower.transformer.resblocks.forEach((block, i) => {
        hidden = block.apply(hidden);
        expectClose(hidden, outputs.get(`vision_hidden_after_layer_${i}`)!, `vision_hidden_after_layer_${i}`);
      });
      const pooled = tower.lnPost.apply(tf.squeeze(tf.slice(hidden, [0, 0, 0], [-1, 1, -1]), [1]));
      expectClose(pooled, outputs.get('vision_pooled_after_ln_post')!, 'vision_pooled_after_ln_post');
    });
  });
});

describe('VisionTransformer gradients', () => {
  const N = 3;
  const pixelValues = new SeededRandom(11).normalArray(N * 3 * 16 * 16);
  const upstream = new SeededRandom(12).normalArray(N * 16);

  async function gradients(device: 'wasm' | 'cpu'): Promise<Map<string, Float32Array>> {
    await initTfjs({ device, log: () => undefined });
    const tower = new VisionTransformer(SMALL, 16, new SeededRandom(4));
    const [x, dy] = [tf.tensor4d(pixelValues, [N, 3, 16, 16]), tf.tensor2d(upstream, [N, 16])];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(tower.forward(x, true), dy)), [...tower.stateDict().values()]);
    const byName = new Map([...tower.stateDict()].map(([name, variable]) => [name, grads[variable.name].dataSync() as Float32Array]));
    tf.dispose([x, dy, value, ...Object.values(grads)]);
    tower.dispose();
    return byName;
  }

  it('reach every trainable variable on wasm, finite and non-zero, and equal the cpu backend within 1e-4 relative', async () => {
    const cpu = await gradients('cpu');
    const wasm = await gradients('wasm');
    expect([...wasm.keys()]).toEqual([...cpu.keys()]);
    for (const [name, g] of wasm) {
      expect(g.every(Number.isFinite), `${name} finite`).toBe(true);
      expect(
        g.some((v) => v !== 0),
        `${name} non-zero`,
      ).toBe(true);
      const ref = cpu.get(name)!;
      const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const error = g.reduce((m, v, i) => Math.max(m, Math.abs(v - ref[i])), 0);
      expect(error, name).toBeLessThanOrEqual(1e-4 * scale);
    }
  });
});

describe('VisionTransformer on wasm', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('leaks no tensor across encode() and a gradient step', async () => {
    const tower = new VisionTransformer(SMALL, 16, new SeededRandom(1));
    const x = tf.tensor4d(new SeededRandom(2).normalArray(2 * 3 * 16 * 16), [2, 3, 16, 16]);
    const step = async () => {
      (await tower.encode(x)).dispose();
      const { value, grads } = tf.variableGrads(() => tf.sum(tower.forward(x, true)), [...tower.stateDict().values()]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    await step(); // first call may create kernels' cached state
    const before = tf.memory().numTensors;
    await step();
    await step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    tower.dispose();
  });

  it('rejects pixels of the wrong size, naming the shape expected', () => {
    const tower = new VisionTransformer(SMALL, 16, new SeededRandom(1));
    const x = tf.zeros([1, 3, 32, 32]) as tf.Tensor4D;
    expect(() => tower.forward(x, false)).toThrow(/shape \[1, 3, 32, 32\], expected \[N, 3, 16, 16\]/);
    x.dispose();
    tower.dispose();
  });

  it('initialises as OpenAI VisionTransformer.__init__ and nn.Conv2d', () => {
    const config: VitConfig = { ...SMALL, imageSize: 32, width: 256, mlpWidth: 1024 };
    const tower = new VisionTransformer(config, 64, new SeededRandom(3));
    const state = tower.stateDict();
    const values = (name: string) => state.get(name)!.dataSync();
    const rms = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0) / v.length);
    // scale * randn with scale = width^-0.5; positional embedding 17 x 256 and proj 256 x 64 samples: std within ~2%.
    expect(rms(values('positional_embedding')) * Math.sqrt(256)).toBeCloseTo(1, 1);
    expect(rms(values('proj')) * Math.sqrt(256)).toBeCloseTo(1, 1);
    expect(rms(values('class_embedding')) * Math.sqrt(256)).toBeGreaterThan(0.8);
    // conv1: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = 3 * 8 * 8.
    const bound = 1 / Math.sqrt(3 * 64);
    expect(values('conv1.weight').every((v) => Math.abs(v) <= bound)).toBe(true);
    expect((rms(values('conv1.weight')) * Math.sqrt(3)) / bound).toBeCloseTo(1, 1);
    // Vision blocks keep nn.MultiheadAttention's init: xavier-uniform in_proj, zero in_proj_bias.
    const xavier = Math.sqrt(6 / (4 * 256));
    expect(values('transformer.resblocks.1.attn.in_proj_weight').every((v) => Math.abs(v) <= xavier)).toBe(true);
    expect(values('transformer.resblocks.1.attn.in_proj_bias').every((v) => v === 0)).toBe(true);
    expect(values('ln_post.weight').every((v) => v === 1) && values('ln_post.bias').every((v) => v === 0)).toBe(true);
    tower.dispose();
  });

  it("partitions its state into open_clip's layer groups: embeddings, each block (the last with ln_post), the projection", () => {
    const tower = new VisionTransformer(SMALL, 16, new SeededRandom(1));
    const groups = tower.layerGroups();
    expect(groups).toHaveLength(SMALL.layers + 2);
    expect(groups.flat().sort()).toEqual([...tower.stateDict().keys()].sort());
    expect(groups[0].sort()).toEqual(['class_embedding', 'conv1.weight', 'ln_pre.bias', 'ln_pre.weight', 'positional_embedding']);
    for (let i = 0; i < SMALL.layers; i++)
      expect(groups[1 + i].every((n) => n.startsWith(`transformer.resblocks.${i}.`) || (i === SMALL.layers - 1 && n.startsWith('ln_post.')))).toBe(true);
    expect(groups[SMALL.layers]).toEqual(expect.arrayContaining(['ln_post.weight', 'ln_post.bias']));
    expect(groups[SMALL.layers + 1]).toEqual(['proj']);
    tower.dispose();
  });

  it('is deterministic in its seed', () => {
    const snapshot = (seed: number) => {
      const tower = new VisionTransformer(SMALL, 16, new SeededRandom(seed));
      const state = [...tower.stateDict()].map(([name, v]) => [name, Array.from(v.dataSync())] as const);
      tower.dispose();
      return state;
    };
    expect(snapshot(5)).toEqual(snapshot(5));
    expect(snapshot(5)).not.toEqual(snapshot(6));
  });

  it('vitPlugin builds the configured trainable tower from train.seed', () => {
    const context = { resolve: () => undefined as never, modelDir: undefined, log: () => undefined };
    expect([vitPlugin.slot, vitPlugin.type]).toEqual([TRAINABLE_IMAGE_ENCODER, 'vit']);
    const build = (seed: number) => {
      const config = fixtureConfig('vit-b-tiny-quickgelu', { seed });
      return vitPlugin.create(config.model.vision as VitConfig, { ...context, config }) as VisionTransformer;
    };
    const before = tf.memory().numTensors;
    const [a, b, c] = [build(1), build(1), build(2)];
    expect([a.imageSize, a.embedDim, a.config.heads]).toEqual([32, 64, 2]);
    expect(a.positionalEmbedding.dataSync()).toEqual(b.positionalEmbedding.dataSync());
    expect(a.positionalEmbedding.dataSync()).not.toEqual(c.positionalEmbedding.dataSync());
    for (const tower of [a, b, c]) tower.dispose();
    expect(tf.memory().numTensors, 'tensors left after dispose').toBe(before);
  });
});
