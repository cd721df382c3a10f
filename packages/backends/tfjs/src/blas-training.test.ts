import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initTfjs } from './init-tfjs.js';
import { expectGemmInUse, gemmKeys, relativeError, requireBlasAddon } from './testing/blas-test-support.js';

// Three AdamW steps of a miniature CLIP (both towers, the CLIP loss) on cpu, wasm and blas from the
// same weights and data. Per tensor, max |x - cpu| / max |cpu| must stay within 1e-4 (the bound
// for the full model): float32 results that differ only in summation order stay near 1e-6 here, while
// a wrong gradient anywhere moves the loss of the next step and the weights that follow from it.
const TOLERANCE = 1e-4;

const [B, D, H, E, V, T] = [6, 16, 2, 8, 20, 6]; // batch, width, heads, embedding, vocabulary, text length
const HD = D / H;

type Params = Record<string, tf.Variable>;

function initialParams(): Params {
  const rng = new SeededRandom(7);
  const shapes: Record<string, number[]> = {
    patch: [4, 4, 3, D],
    cls: [D],
    pos: [5, D],
    token: [V, D],
    textPos: [T, D],
    imageProj: [D, E],
    textProj: [D, E],
    logScale: [],
  };
  for (const tower of ['image', 'text']) {
    Object.assign(shapes, {
      [`${tower}.ln1`]: [D],
      [`${tower}.qkv`]: [D, 3 * D],
      [`${tower}.qkvBias`]: [3 * D],
      [`${tower}.out`]: [D, D],
      [`${tower}.ln2`]: [D],
      [`${tower}.fc`]: [D, 4 * D],
      [`${tower}.fcBias`]: [4 * D],
      [`${tower}.proj`]: [4 * D, D],
      [`${tower}.projBias`]: [D],
      [`${tower}.lnOut`]: [D],
    });
  }
  const params: Params = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = name.startsWith('image.ln') || name.startsWith('text.ln') ? rng.uniformArray(size, 0.8, 1.2) : rng.normalArray(size, name === 'logScale' ? 0 : 0.3);
    const initial = tf.tensor(values, shape);
    params[name] = tf.variable(initial, true, name);
    initial.dispose();
  }
  return params;
}

function layerNorm(x: tf.Tensor, gain: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gain);
}

/** A pre-LN transformer block over [B, L, D]: batched attention products with transpose flags, fused bias products. */
function block(x: tf.Tensor3D, p: Params, tower: string, mask: tf.Tensor | null, activation: (h: tf.Tensor) => tf.Tensor): tf.Tensor3D {
  const L = x.shape[1];
  const h = tf.reshape(layerNorm(x, p[`${tower}.ln1`]), [B * L, D]) as tf.Tensor2D;
  const qkv = tf.fused.matMul({ a: h, b: p[`${tower}.qkv`] as tf.Tensor2D, bias: p[`${tower}.qkvBias`] }); // [B*L, 3D]
  const heads = tf.reshape(tf.transpose(tf.reshape(qkv, [B, L, 3, H, HD]), [2, 0, 3, 1, 4]), [3, B * H, L, HD]);
  const [q, k, v] = tf.unstack(heads) as tf.Tensor3D[];
  let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(HD)); // [B*H, L, L]
  if (mask) scores = tf.add(scores, mask);
  const context = tf.transpose(tf.reshape(tf.matMul(tf.softmax(scores), v), [B, H, L, HD]), [0, 2, 1, 3]); // [B, L, H, hd]
  const attended = tf.add(x, tf.reshape(tf.matMul(tf.reshape(context, [B * L, D]), p[`${tower}.out`]), [B, L, D]));
  const h2 = tf.reshape(layerNorm(attended, p[`${tower}.ln2`]), [B * L, D]) as tf.Tensor2D;
  const hidden = activation(tf.fused.matMul({ a: h2, b: p[`${tower}.fc`] as tf.Tensor2D, bias: p[`${tower}.fcBias`] })) as tf.Tensor2D;
  const out = tf.fused.matMul({ a: hidden, b: p[`${tower}.proj`] as tf.Tensor2D, bias: p[`${tower}.projBias`] });
  return tf.add(attended, tf.reshape(out, [B, L, D]));
}

const gelu = (h: tf.Tensor): tf.Tensor => tf.mul(tf.mul(h, 0.5), tf.add(1, tf.erf(tf.mul(h, Math.SQRT1_2))));
const quickGelu = (h: tf.Tensor): tf.Tensor => tf.mul(h, tf.sigmoid(tf.mul(h, 1.702)));
const l2Normalize = (x: tf.Tensor): tf.Tensor => tf.div(x, tf.norm(x, 'euclidean', -1, true));

function clipLoss(p: Params, images: tf.Tensor4D, ids: tf.Tensor2D): tf.Scalar {
  const patches = tf.reshape(tf.conv2d(images, p.patch as tf.Tensor4D, 4, 'valid'), [B, 4, D]); // [B, 4, D]
  const tokens = tf.add(tf.concat([tf.broadcastTo(tf.reshape(p.cls, [1, 1, D]), [B, 1, D]), patches], 1), p.pos) as tf.Tensor3D;
  const imageHidden = layerNorm(block(tokens, p, 'image', null, gelu), p['image.lnOut']);
  const imageFeatures = tf.matMul(tf.reshape(tf.slice(imageHidden, [0, 0, 0], [B, 1, D]), [B, D]), p.imageProj);
  const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9);
  const text = tf.add(tf.gather(p.token, ids), p.textPos) as tf.Tensor3D;
  const textHidden = layerNorm(block(text, p, 'text', mask, quickGelu), p['text.lnOut']);
  const textFeatures = tf.matMul(tf.reshape(tf.slice(textHidden, [0, T - 1, 0], [B, 1, D]), [B, D]), p.textProj);
  const logits = tf.mul(tf.matMul(l2Normalize(imageFeatures), l2Normalize(textFeatures), false, true), tf.exp(p.logScale)); // [B, B]
  const targets = tf.oneHot(tf.range(0, B, 1, 'int32'), B);
  const crossEntropy = (l: tf.Tensor): tf.Tensor => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(l), targets), -1)));
  return tf.div(tf.add(crossEntropy(logits), crossEntropy(tf.transpose(logits))), 2) as tf.Scalar;
}

interface Trained {
  losses: number[];
  grads: Map<string, Float32Array>;
}

/** Losses of three AdamW steps and the gradients of the third, as host arrays. */
async function train(device: 'cpu' | 'wasm' | 'blas'): Promise<Trained> {
  expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
  const before = tf.memory().numTensors;
  const rng = new SeededRandom(11);
  const images = tf.tensor4d(rng.normalArray(B * 8 * 8 * 3), [B, 8, 8, 3]);
  const ids = tf.tensor2d(
    Int32Array.from({ length: B * T }, () => Math.floor(rng.uniform() * V)),
    [B, T],
    'int32',
  );
  const p = initialParams();
  const moments = Object.fromEntries(Object.entries(p).map(([name, v]) => [name, [tf.zerosLike(v), tf.zerosLike(v)]]));
  const losses: number[] = [];
  let lastGrads = new Map<string, Float32Array>();
  for (let step = 1; step <= 3; step++) {
    const { value, grads } = tf.variableGrads(() => clipLoss(p, images, ids));
    losses.push(value.dataSync()[0]);
    lastGrads = new Map(Object.entries(grads).map(([name, g]) => [name, Float32Array.from(g.dataSync() as Float32Array)]));
    for (const [name, v] of Object.entries(p)) {
      const [m, s] = moments[name];
      const [m2, s2] = tf.tidy(() => [tf.add(tf.mul(m, 0.9), tf.mul(grads[name], 0.1)), tf.add(tf.mul(s, 0.98), tf.mul(tf.square(grads[name]), 0.02))]);
      tf.tidy(() => v.assign(tf.sub(v, tf.mul(tf.div(tf.div(m2, 1 - 0.9 ** step), tf.add(tf.sqrt(tf.div(s2, 1 - 0.98 ** step)), 1e-6)), 1e-2))));
      tf.dispose([m, s]);
      moments[name] = [m2, s2];
    }
    tf.dispose([value, ...Object.values(grads)]);
  }
  tf.dispose([images, ids, ...Object.values(p), ...Object.values(moments).flat()]);
  expect(tf.memory().numTensors).toBe(before);
  return { losses, grads: lastGrads };
}

describe('training on the blas backend', () => {
  it('gives the losses and gradients of cpu and wasm over three AdamW steps of a miniature CLIP, on every GEMM', async () => {
    const cpu = await train('cpu');
    expect(cpu.losses[2]).toBeLessThan(cpu.losses[0]); // the steps do train
    const addon = requireBlasAddon();
    // wasm, then blas with each GEMM this machine has.
    for (const name of ['wasm', ...gemmKeys()]) {
      if (name !== 'wasm') addon.useGemm(name);
      const other = await train(name === 'wasm' ? 'wasm' : 'blas');
      if (name !== 'wasm') expectGemmInUse(addon, name);
      for (const [i, loss] of other.losses.entries()) {
        expect(Math.abs(loss - cpu.losses[i]) / cpu.losses[i], `${name} loss ${i}`).toBeLessThanOrEqual(TOLERANCE);
      }
      expect([...other.grads.keys()].sort()).toEqual([...cpu.grads.keys()].sort());
      for (const [param, g] of cpu.grads) expect(relativeError(other.grads.get(param) as Float32Array, g), `${name} ${param}`).toBeLessThanOrEqual(TOLERANCE);
    }
    addon.useGemm(gemmKeys()[0]);
  });
});
