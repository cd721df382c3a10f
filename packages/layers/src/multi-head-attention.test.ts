import { initTfjs } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { causalMask } from './causal-mask.js';
import { MultiHeadAttention } from './multi-head-attention.js';

// float32 against a float64 loop over sums of 8 products and a softmax of 5 terms: rounding is ~1e-7.
const TOLERANCE = 1e-5;

/** Self-attention written out with plain loops in float64, from the layer's own weights. */
function referenceAttention(
  x: Float32Array,
  [B, T, D]: number[],
  heads: number,
  w: Float32Array,
  b: Float32Array,
  wo: Float32Array,
  bo: Float32Array,
  causal: boolean,
): Float64Array {
  const hd = D / heads;
  const out = new Float64Array(B * T * D);
  // qkv[bt][j] = sum_i x[bt][i] w[j][i] + b[j], j over 3D rows (q rows, k rows, v rows)
  const qkv = new Float64Array(B * T * 3 * D);
  for (let bt = 0; bt < B * T; bt++) {
    for (let j = 0; j < 3 * D; j++) {
      let s = b[j];
      for (let i = 0; i < D; i++) s += x[bt * D + i] * w[j * D + i];
      qkv[bt * 3 * D + j] = s;
    }
  }
  const context = new Float64Array(B * T * D);
  for (let n = 0; n < B; n++) {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < T; t++) {
        const scores: number[] = [];
        for (let s = 0; s < T; s++) {
          let dot = 0;
          for (let e = 0; e < hd; e++) dot += qkv[(n * T + t) * 3 * D + h * hd + e] * qkv[(n * T + s) * 3 * D + D + h * hd + e];
          scores.push(causal && s > t ? -Infinity : dot / Math.sqrt(hd));
        }
        const max = Math.max(...scores);
        const exps = scores.map((v) => Math.exp(v - max));
        const total = exps.reduce((a, c) => a + c, 0);
        for (let e = 0; e < hd; e++) {
          let acc = 0;
          for (let s = 0; s < T; s++) acc += (exps[s] / total) * qkv[(n * T + s) * 3 * D + 2 * D + h * hd + e];
          context[(n * T + t) * D + h * hd + e] = acc;
        }
      }
    }
  }
  for (let bt = 0; bt < B * T; bt++) {
    for (let j = 0; j < D; j++) {
      let s = bo[j];
      for (let i = 0; i < D; i++) s += context[bt * D + i] * wo[j * D + i];
      out[bt * D + j] = s;
    }
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe.each(['wasm', 'cpu', 'blas'] as const)('MultiHeadAttention on %s', (device) => {
  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
  });

  it.each([false, true])('matches a plain-loop reference (causal mask %s) and leaks nothing', (causal) => {
    const [B, T, D, H] = [2, 5, 8, 2];
    const rng = new SeededRandom(7);
    // Normal weights of std 0.5 and non-zero biases, so every term of the equation matters.
    const attn = new MultiHeadAttention(D, H, rng, { inProjStd: 0.5, outProjStd: 0.5 });
    attn.inProjBias.assign(tf.tensor1d(rng.normalArray(3 * D, 0.5)));
    attn.outProj.bias!.assign(tf.tensor1d(rng.normalArray(D, 0.5)));
    const xValues = rng.normalArray(B * T * D);
    const x = tf.tensor3d(xValues, [B, T, D]);
    const mask = causal ? causalMask(T) : undefined;
    const before = tf.memory().numTensors;
    const y = attn.apply(x, mask);
    expect(y.shape).toEqual([B, T, D]);
    const expected = referenceAttention(
      xValues,
      [B, T, D],
      H,
      attn.inProjWeight.dataSync() as Float32Array,
      attn.inProjBias.dataSync() as Float32Array,
      attn.outProj.weight.dataSync() as Float32Array,
      attn.outProj.bias!.dataSync() as Float32Array,
      causal,
    );
    expect(maxAbsDiff(y.dataSync(), expected)).toBeLessThan(TOLERANCE);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, mask]);
    attn.dispose();
  });

  it('the causal mask is -inf above the diagonal and 0 elsewhere', () => {
    const mask = causalMask(3);
    expect(Array.from(mask.dataSync())).toEqual([0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0]);
    mask.dispose();
  });
});

describe('MultiHeadAttention gradients', () => {
  /** Gradients of sum(attn(x) * upstream) for x and every weight, on `device`; checks that nothing leaks. */
  async function gradients(device: 'cpu' | 'blas', causal: boolean): Promise<Float32Array[]> {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
    const [B, T, D, H] = [3, 7, 12, 3];
    const rng = new SeededRandom(11);
    const attn = new MultiHeadAttention(D, H, rng, { inProjStd: 0.5, outProjStd: 0.5 });
    attn.inProjBias.assign(tf.tensor1d(rng.normalArray(3 * D, 0.5)));
    const x = tf.tensor3d(rng.normalArray(B * T * D), [B, T, D]);
    const upstream = tf.tensor3d(rng.normalArray(B * T * D), [B, T, D]);
    const mask = causal ? causalMask(T) : undefined;
    const before = tf.memory().numTensors;
    const variables = [...attn.stateDict().values()];
    const [dx] = tf.grads((input: tf.Tensor) => tf.sum(tf.mul(attn.apply(input as tf.Tensor3D, mask), upstream)))([x]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(attn.apply(x, mask), upstream)), variables);
    const host = [dx, ...variables.map((v) => grads[v.name])].map((g) => Float32Array.from(g.dataSync() as Float32Array));
    tf.dispose([dx, value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, upstream, mask]);
    attn.dispose();
    return host;
  }

  // blas runs the heads as the fused attention kernel, cpu as tfjs ops: the same gradients to float32
  // rounding (measured below 1e-6 of the largest value), for x and each of the four weights.
  it.each([false, true])('of the fused kernel on blas equal those of tfjs ops on cpu (causal mask %s)', async (causal) => {
    const cpu = await gradients('cpu', causal);
    const blas = await gradients('blas', causal);
    blas.forEach((g, i) => {
      const scale = cpu[i].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(maxAbsDiff(g, cpu[i])).toBeLessThanOrEqual(TOLERANCE * scale);
    });
  });
});

describe('MultiHeadAttention layout and initialisation', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('names its state as torch.nn.MultiheadAttention', () => {
    const attn = new MultiHeadAttention(8, 2, new SeededRandom(0));
    expect([...attn.stateDict()].map(([name, v]) => [name, v.shape])).toEqual([
      ['in_proj_weight', [24, 8]],
      ['in_proj_bias', [24]],
      ['out_proj.weight', [8, 8]],
      ['out_proj.bias', [8]],
    ]);
    attn.dispose();
  });

  it('initialises as nn.MultiheadAttention: xavier-uniform in_proj, zero biases, nn.Linear out_proj', () => {
    const width = 64;
    const attn = new MultiHeadAttention(width, 4, new SeededRandom(3));
    const inProj = attn.inProjWeight.dataSync();
    const xavier = Math.sqrt(6 / (width + 3 * width));
    expect(Math.max(...inProj.map(Math.abs))).toBeLessThanOrEqual(xavier);
    // A uniform on [-a, a] has std a / sqrt(3); 12288 samples give the std to about 1%.
    expect(std(inProj)).toBeCloseTo(xavier / Math.sqrt(3), 2);
    const outProj = attn.outProj.weight.dataSync();
    expect(Math.max(...outProj.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(width));
    expect(std(outProj) * Math.sqrt(3) * Math.sqrt(width)).toBeCloseTo(1, 1);
    expect(attn.inProjBias.dataSync().every((v) => v === 0)).toBe(true);
    expect(attn.outProj.bias!.dataSync().every((v) => v === 0)).toBe(true);
    attn.dispose();
  });

  it('rejects a width the heads do not divide', () => {
    expect(() => new MultiHeadAttention(10, 3, new SeededRandom(0))).toThrow(/width 10 is not divisible by heads 3/);
  });
});

function std(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i] / values.length;
  let variance = 0;
  for (let i = 0; i < values.length; i++) variance += (values[i] - mean) ** 2 / values.length;
  return Math.sqrt(variance);
}
