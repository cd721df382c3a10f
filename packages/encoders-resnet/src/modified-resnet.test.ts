import { initTfjs } from '@clipkit/backend-tfjs';
import { type HostTensor, type ModelConfig, parseClipConfig, readJsonConfig, readSafetensors, SeededRandom } from '@clipkit/core';
import { plugins as textPlugins } from '@clipkit/text-transformer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModifiedResNet } from './modified-resnet.js';
import { plugins } from './resnet-plugin.js';
import type { ResNetConfig } from './resnet-schema.js';

const RN_TINY = `${process.env.CLIPKIT_SHARED}/fixtures/models/rn-tiny/`;

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

/** Assigns every variable of the tower from `visual.<name>`; the checkpoint's num_batches_tracked have no variable and are skipped. */
function loadVisual(tower: ModifiedResNet, weights: Map<string, HostTensor>): void {
  for (const [name, variable] of tower.stateDict()) {
    const stored = weights.get(`visual.${name}`);
    expect(stored, `visual.${name} in the checkpoint`).toBeDefined();
    expect(stored!.shape, name).toEqual(variable.shape);
    tf.tidy(() => variable.assign(tf.tensor(stored!.data as Float32Array, stored!.shape)));
  }
}

/** NHWC feature map -> NCHW, the fixtures' layout. */
const toNCHW = (x: tf.Tensor4D) => tf.transpose(x, [0, 3, 1, 2]);

describe.each(['wasm', 'cpu'] as const)('ModifiedResNet against OpenAI CLIP (rn-tiny on %s)', (device) => {
  let model: ModelConfig;
  let weights: Map<string, HostTensor>;
  let outputs: Map<string, HostTensor>;
  let tower: ModifiedResNet;
  let pixels: tf.Tensor4D;

  beforeAll(async () => {
    await initTfjs({ device, log: () => undefined });
    model = readJsonConfig(`${RN_TINY}open_clip_config.json`, (json, source) => parseClipConfig({ model: json }, [...plugins, ...textPlugins], source)).model;
    weights = await readSafetensors(`${RN_TINY}model.safetensors`);
    outputs = await readSafetensors(`${RN_TINY}outputs.safetensors`);
    const pixelValues = (await readSafetensors(`${RN_TINY}inputs.safetensors`)).get('pixel_values')!;
    tower = new ModifiedResNet(model.vision as ResNetConfig, model.embedDim, new SeededRandom(0));
    loadVisual(tower, weights);
    pixels = tf.tensor4d(pixelValues.data as Float32Array, pixelValues.shape as [number, number, number, number]);
    return () => {
      tower.dispose();
      pixels.dispose();
    };
  });

  it('names its state exactly as OpenAI, without the visual. prefix (num_batches_tracked aside)', () => {
    const ours = [...tower.stateDict()].map(([name, v]) => [`visual.${name}`, v.shape]).sort();
    const theirs = [...weights]
      .filter(([name]) => name.startsWith('visual.') && !name.endsWith('num_batches_tracked'))
      .map(([name, t]) => [name, t.shape])
      .sort();
    expect(ours).toEqual(theirs);
  });

  it('encodes images to image_embeds', async () => {
    const before = tf.memory().numTensors;
    const embeds = await tower.encode(pixels);
    expectClose(embeds, outputs.get('image_embeds')!, 'image_embeds');
    embeds.dispose();
    expect(tf.memory().numTensors, 'tensors after encode').toBe(before);
  });

  it('matches the stem and every stage', () => {
    tf.tidy(() => {
      let x = tower.stem(tf.transpose(pixels, [0, 2, 3, 1]), false);
      expectClose(toNCHW(x), outputs.get('vision_stem_out')!, 'vision_stem_out');
      for (let i = 0; i < 4; i++) {
        x = tower.stage(i, x, false);
        expectClose(toNCHW(x), outputs.get(`vision_layer${i + 1}_out`)!, `vision_layer${i + 1}_out`);
      }
    });
  });

  it('rejects pixel values of another size, saying which', () => {
    const wrong = tf.zeros([1, 3, 32, 32]) as tf.Tensor4D;
    expect(() => tower.forward(wrong, false)).toThrow('pixel values have shape [1, 3, 32, 32], expected [N, 3, 64, 64]');
    wrong.dispose();
  });
});

// A small tower: stem 4 -> 8 channels at 16x16, stages at 8, 4, 2, 1 pixels, attention pool over 256 features.
const SMALL: ResNetConfig = { type: 'resnet', imageSize: 32, layers: [1, 1, 1, 1], width: 8, heads: 4 };

/** The small tower with every BatchNorm weight and bias random (bn3 starts at zero, which would cut most gradients). */
function randomSmallTower(): ModifiedResNet {
  const tower = new ModifiedResNet(SMALL, 16, new SeededRandom(11));
  const rng = new SeededRandom(12);
  tf.tidy(() => {
    for (const [name, variable] of tower.stateDict()) {
      if (/(bn\d|downsample\.1)\.weight$/.test(name)) variable.assign(tf.tensor1d(rng.normalArray(variable.size, 0.3, 1)));
      if (/(bn\d|downsample\.1)\.bias$/.test(name)) variable.assign(tf.tensor1d(rng.normalArray(variable.size, 0.1)));
    }
  });
  return tower;
}

/** One training step's gradients (loss = sum(features * upstream)) on `device`, and the running statistics after it. */
async function trainingGradients(device: 'wasm' | 'cpu'): Promise<{ grads: Map<string, Float32Array>; buffers: Map<string, Float32Array>; trainable: string[]; leaked: number }> {
  await initTfjs({ device, log: () => undefined });
  const tower = randomSmallTower();
  const rng = new SeededRandom(13);
  const pixels = tf.tensor4d(rng.normalArray(4 * 3 * 32 * 32), [4, 3, 32, 32]);
  const upstream = tf.tensor2d(rng.normalArray(4 * 16), [4, 16]);
  const state = tower.stateDict();
  const trainable = [...state].filter(([, v]) => v.trainable);
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(tower.forward(pixels, true), upstream)),
    trainable.map(([, v]) => v),
  );
  const byName = new Map(trainable.filter(([, v]) => grads[v.name]).map(([name, v]) => [name, grads[v.name].dataSync() as Float32Array]));
  tf.dispose([value, ...Object.values(grads)]);
  const leaked = tf.memory().numTensors - before;
  const buffers = new Map([...state].filter(([, v]) => !v.trainable).map(([name, v]) => [name, v.dataSync() as Float32Array]));
  tf.dispose([pixels, upstream]);
  tower.dispose();
  return { grads: byName, buffers, trainable: trainable.map(([name]) => name), leaked };
}

/** max |a - b| / max |b|: the float32 backends sum in different orders. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let error = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    error = Math.max(error, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return error / scale;
}

describe('ModifiedResNet training', () => {
  it('gives every trainable variable a finite gradient on wasm, equal to the cpu backend within 1e-4 relative, without leaks', async () => {
    const wasm = await trainingGradients('wasm');
    const cpu = await trainingGradients('cpu');
    expect(wasm.leaked, 'tensors left by a training step on wasm').toBe(0);
    expect(cpu.leaked, 'tensors left by a training step on cpu').toBe(0);
    expect([...wasm.grads.keys()]).toEqual(wasm.trainable);
    // A bias shared by every key shifts all scores of the query equally, which softmax ignores: its true
    // gradient is 0, so both backends return rounding noise, small next to the key weights' gradient.
    const keyWeightScale = Math.max(...wasm.grads.get('attnpool.k_proj.weight')!.map(Math.abs));
    expect(Math.max(...wasm.grads.get('attnpool.k_proj.bias')!.map(Math.abs))).toBeLessThan(1e-4 * keyWeightScale);
    for (const [name, grad] of wasm.grads) {
      expect(grad.every(Number.isFinite), `${name}: finite`).toBe(true);
      if (name === 'attnpool.k_proj.bias') continue;
      expect(
        grad.some((g) => g !== 0),
        `${name}: not all zero`,
      ).toBe(true);
      expect(relativeError(grad, cpu.grads.get(name)!), `${name}: wasm vs cpu`).toBeLessThan(1e-4);
    }
    // The step moved every running statistic, identically on both backends.
    expect(wasm.buffers.size, 'running statistics of 3 stem + 4 x 4 block BatchNorms').toBe(2 * (3 + 4 * 4));
    for (const [name, buffer] of wasm.buffers) {
      const start = name.endsWith('running_mean') ? 0 : 1;
      expect(
        buffer.some((v) => v !== start),
        `${name} moved`,
      ).toBe(true);
      expect(relativeError(buffer, cpu.buffers.get(name)!), `${name}: wasm vs cpu`).toBeLessThan(1e-4);
    }
  });
});

describe('ModifiedResNet locking', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it("partitions its state into open_clip's layer groups: stem, layer1 ... layer4, attention pool", () => {
    const tower = new ModifiedResNet(SMALL, 16, new SeededRandom(1));
    const groups = tower.layerGroups();
    expect(groups).toHaveLength(6);
    expect(groups.flat().sort()).toEqual([...tower.stateDict().keys()].sort());
    expect(groups[0].every((n) => /^(conv|bn)[123]\./.test(n))).toBe(true);
    expect(groups[0]).toHaveLength(3 + 3 * 4);
    for (let i = 1; i <= 4; i++) expect(groups[i].every((n) => n.startsWith(`layer${i}.`))).toBe(true);
    expect(groups[5].every((n) => n.startsWith('attnpool.'))).toBe(true);
    tower.dispose();
  });

  it('freezeBatchNormStats(2) keeps the running statistics of the stem and layer1 through a training step and normalises with them', () => {
    const tower = randomSmallTower();
    const state = tower.stateDict();
    // Running statistics away from their (0, 1) start, so normalising with them differs from batch statistics.
    tf.tidy(() => {
      for (const [name, v] of state) if (name.endsWith('running_var')) v.assign(tf.fill(v.shape, 2.5));
    });
    const pixels = tf.tensor4d(new SeededRandom(3).normalArray(4 * 3 * 32 * 32), [4, 3, 32, 32]);
    const eval1 = tf.tidy(() => tower.stem(tf.transpose(pixels, [0, 2, 3, 1]), false));
    tower.freezeBatchNormStats(2);
    const snapshot = () => new Map([...state].filter(([n]) => n.includes('running')).map(([n, v]) => [n, Array.from(v.dataSync())]));
    const before = snapshot();
    const train1 = tf.tidy(() => tower.stem(tf.transpose(pixels, [0, 2, 3, 1]), true));
    tf.tidy(() => tower.forward(pixels, true));
    const after = snapshot();
    for (const [name, values] of before) {
      const frozen = /^(bn[123]|layer1\.)/.test(name);
      if (frozen) expect(after.get(name), `${name} kept`).toEqual(values);
      else expect(after.get(name), `${name} moved`).not.toEqual(values);
    }
    // In training mode the frozen stem computes exactly what eval mode computes.
    expect(Array.from(train1.dataSync())).toEqual(Array.from(eval1.dataSync()));
    tf.dispose([pixels, eval1, train1]);
    tower.dispose();
  });
});

describe('ModifiedResNet initialisation', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('follows CLIP.initialize_parameters and PyTorch defaults', () => {
    const tower = new ModifiedResNet({ type: 'resnet', imageSize: 64, layers: [1, 2, 1, 1], width: 16, heads: 8 }, 64, new SeededRandom(3));
    const state = tower.stateDict();
    const std = (name: string) => {
      const v = Array.from(state.get(name)!.dataSync());
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    };
    // attnpool weights: N(0, 512^-0.5), 32768 to 262144 draws (sample std within 0.4%, 2% allowed); positions:
    // randn / 512^0.5, 2560 draws (within 1.4%, 5% allowed). A std of 1 or of the nn.Linear default is far outside.
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'c_proj']) expect(Math.abs(std(`attnpool.${proj}.weight`) / 512 ** -0.5 - 1), proj).toBeLessThan(0.02);
    expect(Math.abs(std('attnpool.positional_embedding') / 512 ** -0.5 - 1)).toBeLessThan(0.05);
    for (const [name, variable] of state) {
      const values = Array.from(variable.dataSync());
      if (/layer\d\.\d+\.bn3\.weight$/.test(name))
        expect(
          values.every((v) => v === 0),
          `${name} zero`,
        ).toBe(true);
      else if (/(bn\d|downsample\.1)\.(weight|running_var)$/.test(name))
        expect(
          values.every((v) => v === 1),
          `${name} one`,
        ).toBe(true);
      else if (/(bn\d|downsample\.1)\.(bias|running_mean)$/.test(name))
        expect(
          values.every((v) => v === 0),
          `${name} zero`,
        ).toBe(true);
    }
    // Registration order as OpenAI's modules declare them.
    expect([...state.keys()].filter((name) => name.startsWith('attnpool.'))).toEqual([
      'attnpool.positional_embedding',
      ...['k_proj', 'q_proj', 'v_proj', 'c_proj'].flatMap((p) => [`attnpool.${p}.weight`, `attnpool.${p}.bias`]),
    ]);
    expect([...state.keys()].slice(0, 6)).toEqual(['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'conv2.weight']);
    tower.dispose();
  });
});
