import { initTfjs } from '@clipkit/backend-tfjs';
import { type HostTensor, type ModelConfig, parseClipConfig, readJsonConfig, readSafetensors, SeededRandom, TRAINABLE_IMAGE_ENCODER } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose, loadSiglipTiny, SIGLIP_TINY, type SiglipTinyFixture } from './siglip-fixture.test-support.js';
import { plugins, siglipVisionPlugin } from './siglip-plugins.js';
import type { SiglipVisionConfig } from './siglip-vision-schema.js';
import { SiglipVisionTransformer } from './siglip-vision-transformer.js';

/** The fixture's config.json as clipkit's model section, through the plug-ins' Hugging Face formats. */
const fixtureModel = (): ModelConfig => readJsonConfig(`${SIGLIP_TINY}/config.json`, (json, source) => parseClipConfig({ model: json }, plugins, source)).model;

/** Assigns every variable of a tower from `prefix + name` in the checkpoint; fails on missing or misshaped tensors. */
export function loadInto(tower: { stateDict(): Map<string, tf.Variable> }, weights: Map<string, HostTensor>, prefix: string): void {
  for (const [name, variable] of tower.stateDict()) {
    const stored = weights.get(prefix + name);
    expect(stored, `${prefix + name} in the checkpoint`).toBeDefined();
    expect(stored!.shape, prefix + name).toEqual(variable.shape);
    variable.assign(tf.tensor(stored!.data as Float32Array, stored!.shape));
  }
}

const SMALL: SiglipVisionConfig = { type: 'siglip', imageSize: 16, patchSize: 4, width: 32, layers: 2, heads: 4, mlpWidth: 48, layerNormEps: 1e-6, activation: 'gelu_tanh' };

const report: string[] = [];
afterAll(() => console.log(`siglip-tiny image tower, max|err| / max(1, max|ref|) (bound 2e-5):\n${report.join('\n')}`));

describe.each(['blas', 'wasm'] as const)("SiglipVisionTransformer against transformers' SiglipModel (siglip-tiny on %s)", (device) => {
  let weights: Map<string, HostTensor>;
  let fixture: SiglipTinyFixture;
  let tower: SiglipVisionTransformer;

  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device);
    const model = fixtureModel();
    weights = await readSafetensors(`${SIGLIP_TINY}/model.safetensors`);
    fixture = await loadSiglipTiny();
    tower = new SiglipVisionTransformer(model.vision as SiglipVisionConfig, model.embedDim, new SeededRandom(0));
    loadInto(tower, weights, 'vision_model.');
    return () => {
      tower.dispose();
      fixture.dispose();
    };
  });

  it('names its state exactly as transformers, below vision_model.', () => {
    const ours = [...tower.stateDict().keys()].map((name) => `vision_model.${name}`).sort();
    expect(ours).toEqual([...weights.keys()].filter((name) => name.startsWith('vision_model.')).sort());
  });

  it('encodes images to image_embeds', async () => {
    const embeds = await tower.encode(fixture.pixels);
    report.push(`  ${device} image_embeds ${expectClose(embeds, fixture.outputs.get('image_embeds')!, 'image_embeds').toExponential(2)}`);
    embeds.dispose();
  });

  it('matches every intermediate: embeddings, post_layernorm, the probe attention', () => {
    tf.tidy(() => {
      const { pixels, outputs } = fixture;
      const check = (t: tf.Tensor, name: string) => report.push(`  ${device} ${name} ${expectClose(t, outputs.get(name)!, name).toExponential(2)}`);
      check(tower.embed(pixels), 'vision_embeddings');
      const tokens = tower.tokens(pixels);
      check(tokens, 'vision_post_layernorm');
      check(tower.head.attend(tokens), 'vision_head_attention');
    });
  });
});

describe('SiglipVisionTransformer gradients', () => {
  const N = 3;
  const pixelValues = new SeededRandom(11).normalArray(N * 3 * 16 * 16);
  const upstream = new SeededRandom(12).normalArray(N * 32);

  async function gradients(device: 'wasm' | 'blas' | 'cpu'): Promise<Map<string, Float32Array>> {
    await initTfjs({ device, log: () => undefined });
    const tower = new SiglipVisionTransformer(SMALL, 32, new SeededRandom(4));
    const [x, dy] = [tf.tensor4d(pixelValues, [N, 3, 16, 16]), tf.tensor2d(upstream, [N, 32])];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(tower.forward(x, true), dy)), [...tower.stateDict().values()]);
    const byName = new Map([...tower.stateDict()].map(([name, variable]) => [name, grads[variable.name].dataSync() as Float32Array]));
    tf.dispose([x, dy, value, ...Object.values(grads)]);
    tower.dispose();
    return byName;
  }

  it.each(['wasm', 'blas'] as const)('reach every variable on %s, finite and non-zero, and equal the cpu backend within 1e-4 relative', async (device) => {
    const cpu = await gradients('cpu');
    const ours = await gradients(device);
    expect([...ours.keys()]).toEqual([...cpu.keys()]);
    for (const [name, g] of ours) {
      expect(g.every(Number.isFinite), `${name} finite`).toBe(true);
      if (name.endsWith('k_proj.bias')) {
        // q . (k + b_k) shifts every score of a query by q . b_k, which the softmax cancels: the gradient is 0 but for rounding.
        const qBias = ours.get(name.replace('k_proj', 'q_proj'))!.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(
          g.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
          name,
        ).toBeLessThanOrEqual(1e-4 * qBias);
        continue;
      }
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

describe.each(['wasm', 'blas'] as const)('SiglipVisionTransformer on %s', (device) => {
  beforeAll(async () => {
    await initTfjs({ device, log: () => undefined });
  });

  it('leaks no tensor across encode() and a gradient step', async () => {
    const tower = new SiglipVisionTransformer(SMALL, 32, new SeededRandom(1));
    const x = tf.tensor4d(new SeededRandom(2).normalArray(2 * 3 * 16 * 16), [2, 3, 16, 16]);
    const step = async () => {
      (await tower.encode(x)).dispose();
      const { value, grads } = tf.variableGrads(() => tf.sum(tower.forward(x, true)), [...tower.stateDict().values()]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    await step(); // the first call may create kernels' cached state
    const before = tf.memory().numTensors;
    await step();
    await step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    tower.dispose();
  });
});

describe('SiglipVisionTransformer', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('rejects pixels of another size (positions are not interpolated), naming the shape expected', () => {
    const tower = new SiglipVisionTransformer(SMALL, 32, new SeededRandom(1));
    const x = tf.zeros([1, 3, 32, 32]) as tf.Tensor4D;
    expect(() => tower.forward(x, false)).toThrow(/shape \[1, 3, 32, 32\], expected \[N, 3, 16, 16\]/);
    x.dispose();
    tower.dispose();
  });

  it('embeds like nn.Conv2d with padding "valid" when the patch does not divide the image (so400m: 384 px, 14 px patches)', () => {
    const tower = new SiglipVisionTransformer({ ...SMALL, imageSize: 18 }, 32, new SeededRandom(6));
    expect(tower.grid).toBe(4);
    const x = tf.tensor4d(new SeededRandom(7).normalArray(2 * 3 * 18 * 18), [2, 3, 18, 18]);
    tf.tidy(() => {
      const { patchEmbedding, positionEmbedding } = tower.embeddings;
      const filter = tf.transpose(patchEmbedding.weight, [2, 3, 1, 0]); // [p, p, 3, width]
      const conv = tf.add(tf.conv2d(tf.transpose(x, [0, 2, 3, 1]), filter, 4, 'valid'), patchEmbedding.bias!); // [2, 4, 4, width]: the last 2 px unseen
      const expected = tf.add(tf.reshape(conv, [2, 16, 32]), positionEmbedding.weight);
      expect(tf.max(tf.abs(tf.sub(tower.embed(x), expected))).dataSync()[0]).toBeLessThanOrEqual(1e-5);
    });
    x.dispose();
    tower.dispose();
  });

  it('refuses an embedding width other than its own (SigLIP has no image projection)', () => {
    expect(() => new SiglipVisionTransformer(SMALL, 64, new SeededRandom(1))).toThrow(/model\.embedDim 64 is not model\.vision\.width 32/);
  });

  it('initialises as SiglipPreTrainedModel._init_weights', () => {
    const config: SiglipVisionConfig = { ...SMALL, imageSize: 64, patchSize: 8, width: 256, heads: 4, mlpWidth: 512 };
    const tower = new SiglipVisionTransformer(config, 256, new SeededRandom(3));
    const values = (name: string) => tower.stateDict().get(name)!.dataSync();
    const rms = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0) / v.length);
    // Positions N(0, 1/width): 64 x 256 samples, std within ~2%.
    expect(rms(values('embeddings.position_embedding.weight')) * Math.sqrt(256)).toBeCloseTo(1, 1);
    // lecun_normal_ patch conv: variance 1/fan_in, nothing beyond 2 / 0.8796 standard deviations.
    const fanIn = 3 * 8 * 8;
    const conv = values('embeddings.patch_embedding.weight');
    expect(rms(conv) * Math.sqrt(fanIn)).toBeCloseTo(1, 1);
    expect(conv.every((v) => Math.abs(v) <= 2 / 0.8796256610342398 / Math.sqrt(fanIn))).toBe(true);
    expect(values('embeddings.patch_embedding.bias').every((v) => v === 0)).toBe(true);
    // xavier_uniform_ MLP weights, biases N(0, 1e-6).
    const fc1 = values('encoder.layers.1.mlp.fc1.weight');
    expect(fc1.every((v) => Math.abs(v) <= Math.sqrt(6 / (256 + 512)))).toBe(true);
    expect(rms(values('encoder.layers.1.mlp.fc1.bias'))).toBeLessThan(1e-5);
    // The head: xavier_uniform_ probe and in_proj, zero in_proj_bias.
    expect(values('head.probe').every((v) => Math.abs(v) <= Math.sqrt(3 / 256))).toBe(true);
    expect(values('head.attention.in_proj_weight').every((v) => Math.abs(v) <= Math.sqrt(6 / (4 * 256)))).toBe(true);
    expect(values('head.attention.in_proj_bias').every((v) => v === 0)).toBe(true);
    expect(values('post_layernorm.weight').every((v) => v === 1) && values('post_layernorm.bias').every((v) => v === 0)).toBe(true);
    tower.dispose();
  });

  it('siglipVisionPlugin builds the configured tower from train.seed, deterministically', () => {
    const context = { resolve: () => undefined as never, modelDir: undefined, log: () => undefined };
    expect([siglipVisionPlugin.slot, siglipVisionPlugin.type]).toEqual([TRAINABLE_IMAGE_ENCODER, 'siglip']);
    const build = (seed: number) => {
      const config = parseClipConfig({ model: { embedDim: 32, vision: SMALL, text: { type: 'siglip' } }, train: { seed } }, plugins);
      return siglipVisionPlugin.create(config.model.vision as SiglipVisionConfig, { ...context, config }) as SiglipVisionTransformer;
    };
    const before = tf.memory().numTensors;
    const [a, b, c] = [build(1), build(1), build(2)];
    expect([a.imageSize, a.embedDim]).toEqual([16, 32]);
    const probe = (t: SiglipVisionTransformer) => Array.from(t.head.probe.dataSync());
    expect(probe(a)).toEqual(probe(b));
    expect(probe(a)).not.toEqual(probe(c));
    for (const tower of [a, b, c]) tower.dispose();
    expect(tf.memory().numTensors, 'tensors left after dispose').toBe(before);
  });
});
