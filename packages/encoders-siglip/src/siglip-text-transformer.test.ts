import { initTfjs } from '@clipkit/backend-tfjs';
import { type HostTensor, type ModelConfig, parseClipConfig, readJsonConfig, readSafetensors, SeededRandom, TRAINABLE_TEXT_ENCODER } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose, loadSiglipTiny, SIGLIP_TINY, type SiglipTinyFixture } from './siglip-fixture.test-support.js';
import { plugins, siglipTextPlugin } from './siglip-plugins.js';
import type { SiglipTextConfig } from './siglip-text-schema.js';
import { SiglipTextTransformer } from './siglip-text-transformer.js';

const fixtureModel = (): ModelConfig => readJsonConfig(`${SIGLIP_TINY}/config.json`, (json, source) => parseClipConfig({ model: json }, plugins, source)).model;

function loadInto(tower: SiglipTextTransformer, weights: Map<string, HostTensor>): void {
  for (const [name, variable] of tower.stateDict()) {
    const stored = weights.get(`text_model.${name}`);
    expect(stored, `text_model.${name} in the checkpoint`).toBeDefined();
    expect(stored!.shape, name).toEqual(variable.shape);
    variable.assign(tf.tensor(stored!.data as Float32Array, stored!.shape));
  }
}

const SMALL: SiglipTextConfig = { type: 'siglip', contextLength: 6, vocabSize: 40, width: 32, layers: 2, heads: 4, mlpWidth: 48, layerNormEps: 1e-6, activation: 'gelu_tanh' };
const IDS = [5, 9, 1, 1, 1, 1, 7, 3, 12, 30, 1, 1, 1, 1, 1, 1, 1, 1];

const report: string[] = [];
afterAll(() => console.log(`siglip-tiny text tower, max|err| / max(1, max|ref|) (bound 2e-5):\n${report.join('\n')}`));

describe.each(['blas', 'wasm'] as const)("SiglipTextTransformer against transformers' SiglipModel (siglip-tiny on %s)", (device) => {
  let weights: Map<string, HostTensor>;
  let fixture: SiglipTinyFixture;
  let tower: SiglipTextTransformer;

  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device);
    const model = fixtureModel();
    weights = await readSafetensors(`${SIGLIP_TINY}/model.safetensors`);
    fixture = await loadSiglipTiny();
    tower = new SiglipTextTransformer(model.text as SiglipTextConfig, model.embedDim, new SeededRandom(0));
    loadInto(tower, weights);
    return () => {
      tower.dispose();
      fixture.dispose();
    };
  });

  it('names its state exactly as transformers, below text_model.', () => {
    const ours = [...tower.stateDict().keys()].map((name) => `text_model.${name}`).sort();
    expect(ours).toEqual([...weights.keys()].filter((name) => name.startsWith('text_model.')).sort());
  });

  it('encodes token rows to text_embeds, pooling the last position of padded, truncated and empty texts', async () => {
    const embeds = await tower.encode(fixture.ids);
    report.push(`  ${device} text_embeds ${expectClose(embeds, fixture.outputs.get('text_embeds')!, 'text_embeds').toExponential(2)}`);
    embeds.dispose();
  });

  it('matches final_layer_norm at the last position (text_pooled)', () => {
    const pooled = tower.pool(fixture.ids);
    report.push(`  ${device} text_pooled ${expectClose(pooled, fixture.outputs.get('text_pooled')!, 'text_pooled').toExponential(2)}`);
    pooled.dispose();
  });

  it('is not causal: a change of the first token changes every position, the pooled last one included', () => {
    tf.tidy(() => {
      const changed = tf.concat([tf.fill([5, 1], 7, 'int32'), tf.slice(fixture.ids, [0, 1], [5, 15])], 1) as tf.Tensor2D;
      const delta = tf.max(tf.abs(tf.sub(tower.pool(fixture.ids), tower.pool(changed)))).dataSync()[0];
      expect(delta).toBeGreaterThan(1e-3);
    });
  });
});

describe('SiglipTextTransformer gradients', () => {
  const upstream = new SeededRandom(12).normalArray(3 * 32);

  async function gradients(device: 'wasm' | 'blas' | 'cpu'): Promise<Map<string, Float32Array>> {
    await initTfjs({ device, log: () => undefined });
    const tower = new SiglipTextTransformer(SMALL, 32, new SeededRandom(4));
    const [ids, dy] = [tf.tensor2d(IDS, [3, 6], 'int32'), tf.tensor2d(upstream, [3, 32])];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(tower.forward(ids, true), dy)), [...tower.stateDict().values()]);
    const byName = new Map([...tower.stateDict()].map(([name, variable]) => [name, grads[variable.name].dataSync() as Float32Array]));
    tf.dispose([ids, dy, value, ...Object.values(grads)]);
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

describe.each(['wasm', 'blas'] as const)('SiglipTextTransformer on %s', (device) => {
  beforeAll(async () => {
    await initTfjs({ device, log: () => undefined });
  });

  it('leaks no tensor across encode() and a gradient step', async () => {
    const tower = new SiglipTextTransformer(SMALL, 32, new SeededRandom(1));
    const ids = tf.tensor2d(IDS, [3, 6], 'int32');
    const step = async () => {
      (await tower.encode(ids)).dispose();
      const { value, grads } = tf.variableGrads(() => tf.sum(tower.forward(ids, true)), [...tower.stateDict().values()]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    await step();
    const before = tf.memory().numTensors;
    await step();
    await step();
    expect(tf.memory().numTensors).toBe(before);
    ids.dispose();
    tower.dispose();
  });
});

describe('SiglipTextTransformer', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('rejects rows of another length or dtype, naming the context length', () => {
    const tower = new SiglipTextTransformer(SMALL, 32, new SeededRandom(1));
    const short = tf.zeros([2, 5], 'int32') as tf.Tensor2D;
    const floats = tf.zeros([2, 6]) as tf.Tensor2D;
    expect(() => tower.forward(short, false)).toThrow(/int32 \[2, 5\], expected int32 \[N, 6\]; tokenize with contextLength 6/);
    expect(() => tower.forward(floats, false)).toThrow(/float32 \[2, 6\]/);
    tf.dispose([short, floats]);
    tower.dispose();
  });

  it('projects to model.embedDim through its head, and initialises it as lecun_normal_ with a zero bias', () => {
    const tower = new SiglipTextTransformer({ ...SMALL, width: 256, heads: 4 }, 64, new SeededRandom(3));
    const state = tower.stateDict();
    expect(state.get('head.weight')!.shape).toEqual([64, 256]);
    const rms = (name: string) => {
      const values = Array.from(state.get(name)!.dataSync());
      return Math.sqrt(values.reduce((s, x) => s + x * x, 0) / values.length);
    };
    expect(rms('head.weight') * Math.sqrt(256)).toBeCloseTo(1, 1);
    expect(
      state
        .get('head.bias')!
        .dataSync()
        .every((v) => v === 0),
    ).toBe(true);
    // Token and position tables N(0, 1/width) (default_flax_embed_init).
    expect(rms('embeddings.token_embedding.weight') * Math.sqrt(256)).toBeCloseTo(1, 1);
    expect(rms('embeddings.position_embedding.weight') * Math.sqrt(256)).toBeCloseTo(1, 0);
    tower.dispose();
  });

  it('siglipTextPlugin builds the configured tower from train.seed', () => {
    const context = { resolve: () => undefined as never, modelDir: undefined, log: () => undefined };
    expect([siglipTextPlugin.slot, siglipTextPlugin.type]).toEqual([TRAINABLE_TEXT_ENCODER, 'siglip']);
    const config = parseClipConfig({ model: { embedDim: 16, vision: { type: 'siglip', width: 16 }, text: SMALL }, train: { seed: 3 } }, plugins);
    const tower = siglipTextPlugin.create(config.model.text as SiglipTextConfig, { ...context, config }) as SiglipTextTransformer;
    expect([tower.contextLength, tower.embedDim, tower.head.weight.shape]).toEqual([6, 16, [16, 32]]);
    tower.dispose();
  });
});
