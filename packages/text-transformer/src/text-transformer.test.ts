import { initTfjs } from '@clipkit/backend-tfjs';
import {
  type ClipConfig,
  type ConfigProblem,
  type HostTensor,
  parseClipConfig,
  readJsonConfig,
  readSafetensors,
  SeededRandom,
  TRAINABLE_TEXT_ENCODER,
  toInt32,
} from '@clipkit/core';
import { causalMask } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { plugins } from './plugins.js';
import { textOpenClipFormat } from './text-open-clip-format.js';
import { TextTransformer } from './text-transformer.js';
import { textTransformerPlugin } from './text-transformer-plugin.js';
import type { TextTransformerConfig } from './text-transformer-schema.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models/`;

/**
 * A fixture's config with its text tower read from open_clip's text_cfg by this package's format, as
 * parseClipConfig does for a whole open_clip config (whose vision_cfg needs an image tower's plug-in).
 */
function fixtureConfig(fixture: string, train: object = {}): ClipConfig {
  return readJsonConfig(`${MODELS}${fixture}/open_clip_config.json`, (json, source) => {
    const { embed_dim, quick_gelu, text_cfg } = json as { embed_dim: number; quick_gelu: boolean; text_cfg: Record<string, unknown> };
    const problems: ConfigProblem[] = [];
    const text = textOpenClipFormat.read(text_cfg, { quickGelu: quick_gelu, embedDim: embed_dim }, problems);
    expect(problems).toEqual([]);
    return parseClipConfig({ model: { embedDim: embed_dim, vision: { type: 'vit' }, text }, train }, plugins, source);
  });
}

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
function loadInto(tower: TextTransformer, weights: Map<string, HostTensor>, prefix: string): void {
  for (const [name, variable] of tower.stateDict()) {
    const stored = weights.get(prefix + name);
    expect(stored, `${prefix + name} in the checkpoint`).toBeDefined();
    expect(stored!.shape, prefix + name).toEqual(variable.shape);
    variable.assign(tf.tensor(stored!.data as Float32Array, stored!.shape));
  }
}

const SMALL: TextTransformerConfig = {
  type: 'transformer',
  contextLength: 12,
  vocabSize: 50,
  width: 32,
  heads: 4,
  layers: 2,
  mlpWidth: 64,
  layerNormEps: 1e-5,
  activation: 'gelu',
  eosTokenId: null,
};

/** Ids of a tokenized text in OpenAI's layout: start (48), words in [1, 47], end (49), zero padding. */
function smallIds(rng: SeededRandom, n: number): Int32Array {
  const ids = new Int32Array(n * SMALL.contextLength);
  for (let i = 0; i < n; i++) {
    const words = 1 + rng.int(SMALL.contextLength - 2);
    ids[i * SMALL.contextLength] = 48;
    for (let t = 1; t <= words; t++) ids[i * SMALL.contextLength + t] = 1 + rng.int(47);
    ids[i * SMALL.contextLength + words + 1] = 49;
  }
  return ids;
}

// Each fixture on wasm and on the cpu backend (tiny models: cheap).
const FIXTURE_CASES = ['vit-b-tiny-quickgelu', 'vit-b-tiny-gelu', 'rn-tiny'].flatMap((fixture) => (['wasm', 'cpu'] as const).map((device) => [fixture, device] as const));

describe.each(FIXTURE_CASES)('TextTransformer against OpenAI CLIP (%s on %s)', (fixture, device) => {
  let model: ClipConfig['model'];
  let weights: Map<string, HostTensor>;
  let outputs: Map<string, HostTensor>;
  let tower: TextTransformer;
  let ids: tf.Tensor2D;

  beforeAll(async () => {
    await initTfjs({ device, log: () => undefined });
    model = fixtureConfig(fixture).model;
    weights = await readSafetensors(`${MODELS}${fixture}/model.safetensors`);
    outputs = await readSafetensors(`${MODELS}${fixture}/outputs.safetensors`);
    tower = new TextTransformer(model.text as TextTransformerConfig, model.embedDim, new SeededRandom(0));
    loadInto(tower, weights, '');
    const inputIds = (await readSafetensors(`${MODELS}${fixture}/inputs.safetensors`)).get('input_ids')!;
    ids = tf.tensor2d(toInt32(inputIds, 'input_ids'), inputIds.shape as [number, number], 'int32');
    return () => {
      tower.dispose();
      ids.dispose();
    };
  });

  it('names its state exactly as OpenAI', () => {
    const ours = [...tower.stateDict().keys()].sort();
    const text = [...weights.keys()].filter((name) => !name.startsWith('visual.') && name !== 'logit_scale');
    expect(ours).toEqual(text.sort());
  });

  it('encodes token ids to text_embeds', async () => {
    const embeds = await tower.encode(ids);
    expectClose(embeds, outputs.get('text_embeds')!, 'text_embeds');
    embeds.dispose();
  });

  it('matches every intermediate', () => {
    tf.tidy(() => {
      let hidden = tower.embed(ids);
      expectClose(hidden, outputs.get('text_embeddings')!, 'text_embeddings');
      const mask = causalMask(tower.contextLength);
      tower.transformer.resblocks.forEach((block, i) => {
        hidden = block.apply(hidden, mask);
        expectClose(hidden, outputs.get(`text_hidden_after_layer_${i}`)!, `text_hidden_after_layer_${i}`);
      });
      const normed = tower.lnFinal.apply(hidden);
      expectClose(normed, outputs.get('text_hidden_after_ln_final')!, 'text_hidden_after_ln_final');
      const eot = tower.poolIndex(ids);
      expect(Array.from(eot.dataSync())).toEqual(Array.from(toInt32(outputs.get('text_eot_index')!, 'text_eot_index')));
      const [N, T, D] = normed.shape;
      const pooled = tf.gather(tf.reshape(normed, [N * T, D]), tf.add(eot, tf.range(0, N * T, T, 'int32')));
      expectClose(pooled, outputs.get('text_pooled')!, 'text_pooled');
    });
  });
});

describe('TextTransformer pooling', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  // Two texts; text 0 has eos (7) at positions 2 and 4 and a larger id (9) at 5, text 1 has its largest id twice.
  const rows = [
    [1, 3, 7, 2, 7, 9, 0, 0, 0, 0, 0, 0],
    [1, 9, 7, 9, 0, 0, 0, 0, 0, 0, 0, 0],
  ];

  it.each([
    [null, [5, 1]],
    [7, [2, 2]],
    [8, [0, 0]], // no eos: position 0, as Hugging Face's argmax of an all-false mask
  ])('with eosTokenId %s pools at %j', (eosTokenId, expected) => {
    const tower = new TextTransformer({ ...SMALL, eosTokenId }, 16, new SeededRandom(0));
    const ids = tf.tensor2d(rows, undefined, 'int32');
    const index = tower.poolIndex(ids);
    expect(Array.from(index.dataSync())).toEqual(expected);
    // The features are those of that token: the forward equals ln_final(hidden[index]) @ text_projection.
    const features = tower.forward(ids, false);
    const reference = tf.tidy(() => {
      const hidden = tower.transformer.apply(tower.embed(ids), causalMask(SMALL.contextLength));
      const rowsPicked = tf.stack(expected.map((t, n) => tf.slice(hidden, [n, t, 0], [1, 1, SMALL.width]).reshape([SMALL.width])));
      return tf.matMul(tower.lnFinal.apply(rowsPicked), tower.textProjection);
    });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(features, reference))).dataSync()[0])).toBeLessThan(1e-5);
    tf.dispose([ids, index, features, reference]);
    tower.dispose();
  });
});

describe('TextTransformer gradients', () => {
  const N = 3;
  const ids = smallIds(new SeededRandom(21), N);
  const upstream = new SeededRandom(22).normalArray(N * 16);

  async function gradients(device: 'wasm' | 'cpu'): Promise<Map<string, Float32Array>> {
    await initTfjs({ device, log: () => undefined });
    const tower = new TextTransformer(SMALL, 16, new SeededRandom(4));
    const [x, dy] = [tf.tensor2d(ids, [N, SMALL.contextLength], 'int32'), tf.tensor2d(upstream, [N, 16])];
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

describe('TextTransformer on wasm', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('leaks no tensor across encode() and a gradient step', async () => {
    const tower = new TextTransformer(SMALL, 16, new SeededRandom(1));
    const x = tf.tensor2d(smallIds(new SeededRandom(2), 2), [2, SMALL.contextLength], 'int32');
    const step = async () => {
      (await tower.encode(x)).dispose();
      const { value, grads } = tf.variableGrads(() => tf.sum(tower.forward(x, true)), [...tower.stateDict().values()]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    await step();
    const before = tf.memory().numTensors;
    await step();
    await step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    tower.dispose();
  });

  it("partitions its state into open_clip's text layer groups: embeddings, each block (the last with ln_final), text_projection", () => {
    const tower = new TextTransformer(SMALL, 16, new SeededRandom(1));
    const groups = tower.layerGroups();
    expect(groups).toHaveLength(SMALL.layers + 2);
    expect(groups.flat().sort()).toEqual([...tower.stateDict().keys()].sort());
    expect(groups[0].sort()).toEqual(['positional_embedding', 'token_embedding.weight']);
    for (let i = 0; i < SMALL.layers; i++)
      expect(groups[1 + i].every((n) => n.startsWith(`transformer.resblocks.${i}.`) || (i === SMALL.layers - 1 && n.startsWith('ln_final.')))).toBe(true);
    expect(groups[SMALL.layers]).toEqual(expect.arrayContaining(['ln_final.weight', 'ln_final.bias']));
    expect(groups[SMALL.layers + 1]).toEqual(['text_projection']);
    tower.dispose();
  });

  it('rejects ids of the wrong length or dtype, naming what it expects', () => {
    const tower = new TextTransformer(SMALL, 16, new SeededRandom(1));
    const short = tf.zeros([2, 5], 'int32') as tf.Tensor2D;
    const floats = tf.zeros([2, 12]) as tf.Tensor2D;
    expect(() => tower.forward(short, false)).toThrow(/int32 \[2, 5\], expected int32 \[N, 12\]/);
    expect(() => tower.forward(floats, false)).toThrow(/float32 \[2, 12\], expected int32 \[N, 12\]/);
    tf.dispose([short, floats]);
    tower.dispose();
  });

  it('initialises as CLIP.initialize_parameters', () => {
    const config: TextTransformerConfig = { ...SMALL, contextLength: 77, vocabSize: 1000, width: 64, layers: 3, mlpWidth: 256 };
    const tower = new TextTransformer(config, 64, new SeededRandom(3));
    const state = tower.stateDict();
    const values = (name: string) => state.get(name)!.dataSync();
    const rms = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0) / v.length);
    // >= 4096 normal samples each: the sample std is within ~3% of the true one.
    expect(rms(values('token_embedding.weight')) / 0.02).toBeCloseTo(1, 1);
    expect(rms(values('positional_embedding')) / 0.01).toBeCloseTo(1, 1);
    expect(rms(values('text_projection')) / 64 ** -0.5).toBeCloseTo(1, 1);
    expect(rms(values('transformer.resblocks.2.attn.in_proj_weight')) / 64 ** -0.5).toBeCloseTo(1, 1);
    const projStd = 64 ** -0.5 * 6 ** -0.5;
    expect(rms(values('transformer.resblocks.2.attn.out_proj.weight')) / projStd).toBeCloseTo(1, 1);
    expect(rms(values('transformer.resblocks.2.mlp.c_proj.weight')) / projStd).toBeCloseTo(1, 1);
    expect(rms(values('transformer.resblocks.2.mlp.c_fc.weight')) / 128 ** -0.5).toBeCloseTo(1, 1);
    expect(values('transformer.resblocks.0.attn.in_proj_bias').every((v) => v === 0)).toBe(true);
    expect(values('transformer.resblocks.0.attn.out_proj.bias').every((v) => v === 0)).toBe(true);
    expect(values('ln_final.weight').every((v) => v === 1) && values('ln_final.bias').every((v) => v === 0)).toBe(true);
    tower.dispose();
  });

  it('is deterministic in its seed', () => {
    const snapshot = (seed: number) => {
      const tower = new TextTransformer(SMALL, 16, new SeededRandom(seed));
      const state = [...tower.stateDict()].map(([name, v]) => [name, Array.from(v.dataSync())] as const);
      tower.dispose();
      return state;
    };
    expect(snapshot(5)).toEqual(snapshot(5));
    expect(snapshot(5)).not.toEqual(snapshot(6));
  });

  it('textTransformerPlugin builds the configured trainable tower from train.seed', () => {
    const context = { resolve: () => undefined as never, modelDir: undefined, log: () => undefined };
    expect([textTransformerPlugin.slot, textTransformerPlugin.type]).toEqual([TRAINABLE_TEXT_ENCODER, 'transformer']);
    const build = (seed: number) => {
      const config = fixtureConfig('vit-b-tiny-quickgelu', { seed });
      return textTransformerPlugin.create(config.model.text as TextTransformerConfig, { ...context, config }) as TextTransformer;
    };
    const before = tf.memory().numTensors;
    const [a, b, c] = [build(1), build(1), build(2)];
    expect([a.contextLength, a.embedDim, a.config.vocabSize]).toEqual([77, 64, 1000]);
    expect(a.positionalEmbedding.dataSync()).toEqual(b.positionalEmbedding.dataSync());
    expect(a.positionalEmbedding.dataSync()).not.toEqual(c.positionalEmbedding.dataSync());
    for (const tower of [a, b, c]) tower.dispose();
    expect(tf.memory().numTensors, 'tensors left after dispose').toBe(before);
  });
});
