import { initTfjs } from '@clipkit/backend-tfjs';
import { type HostTensor, readSafetensors, SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { causalMask } from './causal-mask.js';
import type { Layer } from './layer.js';
import { Transformer } from './transformer.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models/`;

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

/** Assigns every variable of `layer` from `prefix + name` in the checkpoint; fails on missing or misshaped tensors. */
function loadInto(layer: Layer, weights: Map<string, HostTensor>, prefix: string): void {
  for (const [name, variable] of layer.stateDict()) {
    const stored = weights.get(prefix + name);
    expect(stored, `${prefix + name} in the checkpoint`).toBeDefined();
    expect(stored!.shape, prefix + name).toEqual(variable.shape);
    variable.assign(tf.tensor(stored!.data as Float32Array, stored!.shape));
  }
}

function asTensor(host: HostTensor): tf.Tensor3D {
  return tf.tensor3d(host.data as Float32Array, host.shape as [number, number, number]);
}

// wasm composes tfjs ops with explicit transposes; blas takes transpose flags and the fused kernels
// (each backend's ops): both must reproduce the reference.
const FIXTURE_CASES = (['vit-b-tiny-quickgelu', 'vit-b-tiny-gelu'] as const).flatMap((fixture) => (['wasm', 'blas'] as const).map((device) => [fixture, device] as const));

describe.each(FIXTURE_CASES)('Transformer against OpenAI CLIP (%s on %s)', (fixture, device) => {
  const activation = fixture.endsWith('-gelu') ? 'gelu' : 'quick_gelu';
  let weights: Map<string, HostTensor>;
  let outputs: Map<string, HostTensor>;

  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
    weights = await readSafetensors(`${MODELS}${fixture}/model.safetensors`);
    outputs = await readSafetensors(`${MODELS}${fixture}/outputs.safetensors`);
  });

  it('reproduces the vision blocks (width 128, 2 heads, no mask)', () => {
    const transformer = new Transformer(128, 2, 2, new SeededRandom(0), { mlpWidth: 512, activation, layerNormEps: 1e-5 });
    loadInto(transformer, weights, 'visual.transformer.');
    let hidden = asTensor(outputs.get('vision_hidden_after_ln_pre')!);
    transformer.resblocks.forEach((block, i) => {
      const next = block.apply(hidden);
      hidden.dispose();
      hidden = next;
      expectClose(hidden, outputs.get(`vision_hidden_after_layer_${i}`)!, `vision layer ${i}`);
    });
    hidden.dispose();
    transformer.dispose();
  });

  it('reproduces the causal text blocks (width 64, 4 heads) and leaks nothing', () => {
    const transformer = new Transformer(64, 2, 4, new SeededRandom(0), { mlpWidth: 256, activation, layerNormEps: 1e-5 });
    loadInto(transformer, weights, 'transformer.');
    const x = asTensor(outputs.get('text_embeddings')!);
    const mask = causalMask(77);
    const before = tf.memory().numTensors;
    const y = transformer.apply(x, mask);
    expectClose(y, outputs.get('text_hidden_after_layer_1')!, 'text layer 1');
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, mask]);
    transformer.dispose();
  });

  it('names its state exactly as the OpenAI checkpoint', () => {
    const transformer = new Transformer(64, 2, 4, new SeededRandom(0), { mlpWidth: 256, activation, layerNormEps: 1e-5 });
    const ours = [...transformer.stateDict().keys()].map((name) => `transformer.${name}`);
    const theirs = [...weights.keys()].filter((name) => name.startsWith('transformer.'));
    expect(ours.sort()).toEqual(theirs.sort());
    transformer.dispose();
  });
});

describe('Transformer initialisation', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('draws normal weights with the given stds and keeps nn.Linear biases', () => {
    const [width, layers] = [64, 3];
    const init = { attnStd: 0.125, projStd: 0.05, fcStd: 0.09 };
    const transformer = new Transformer(width, layers, 4, new SeededRandom(5), { mlpWidth: 256, activation: 'quick_gelu', layerNormEps: 1e-5, init });
    const state = transformer.stateDict();
    const rms = (name: string) => {
      const v = Array.from(state.get(name)!.dataSync());
      return Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    };
    // >= 4096 samples each: the sample std is within ~3% of the true one.
    expect(rms('resblocks.2.attn.in_proj_weight') / init.attnStd).toBeCloseTo(1, 1);
    expect(rms('resblocks.2.attn.out_proj.weight') / init.projStd).toBeCloseTo(1, 1);
    expect(rms('resblocks.2.mlp.c_fc.weight') / init.fcStd).toBeCloseTo(1, 1);
    expect(rms('resblocks.2.mlp.c_proj.weight') / init.projStd).toBeCloseTo(1, 1);
    expect(
      state
        .get('resblocks.0.attn.in_proj_bias')!
        .dataSync()
        .every((v) => v === 0),
    ).toBe(true);
    const fcBias = state.get('resblocks.0.mlp.c_fc.bias')!.dataSync();
    expect(fcBias.every((v) => Math.abs(v) <= 1 / Math.sqrt(width)) && fcBias.some((v) => v !== 0)).toBe(true);
    expect(
      state
        .get('resblocks.1.ln_2.weight')!
        .dataSync()
        .every((v) => v === 1),
    ).toBe(true);
    transformer.dispose();
  });
});
