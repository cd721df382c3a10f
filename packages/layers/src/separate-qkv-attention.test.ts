import { initTfjs } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { causalMask } from './causal-mask.js';
import { MultiHeadAttention } from './multi-head-attention.js';
import { SeparateQkvAttention } from './separate-qkv-attention.js';

// Both layers compute the same float32 products in the same order up to the joined weight: rounding only.
const TOLERANCE = 1e-5;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** A MultiHeadAttention whose packed in_proj holds `attn`'s q, k and v projections (MultiHeadAttention is checked against plain loops). */
function packedTwin(attn: SeparateQkvAttention): MultiHeadAttention {
  const twin = new MultiHeadAttention(attn.width, attn.heads, new SeededRandom(0));
  twin.inProjWeight.assign(tf.concat([attn.qProj.weight, attn.kProj.weight, attn.vProj.weight]));
  twin.inProjBias.assign(tf.concat([attn.qProj.bias!, attn.kProj.bias!, attn.vProj.bias!]));
  twin.outProj.weight.assign(attn.outProj.weight);
  twin.outProj.bias!.assign(attn.outProj.bias!);
  return twin;
}

describe.each(['wasm', 'cpu', 'blas'] as const)('SeparateQkvAttention on %s', (device) => {
  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device);
  });

  it("names its weights as transformers' SiglipAttention", () => {
    const attn = new SeparateQkvAttention(8, 2, new SeededRandom(1));
    expect([...attn.stateDict()].map(([name, v]) => `${name} [${v.shape}]`)).toEqual(
      ['q_proj', 'k_proj', 'v_proj', 'out_proj'].flatMap((p) => [`${p}.weight [8,8]`, `${p}.bias [8]`]),
    );
    attn.dispose();
  });

  it.each([false, true])('equals MultiHeadAttention with in_proj = [q; k; v], outputs and every gradient (mask %s), leaking nothing', (masked) => {
    const [B, T, D, H] = [2, 5, 8, 2];
    const rng = new SeededRandom(7);
    const attn = new SeparateQkvAttention(D, H, rng);
    // Non-zero biases, so every term of the equation matters.
    for (const proj of [attn.qProj, attn.kProj, attn.vProj, attn.outProj]) proj.bias!.assign(tf.tensor1d(rng.normalArray(D, 0.5)));
    const twin = packedTwin(attn);
    const x = tf.tensor3d(rng.normalArray(B * T * D), [B, T, D]);
    const upstream = tf.tensor3d(rng.normalArray(B * T * D), [B, T, D]);
    const mask = masked ? causalMask(T) : undefined;
    const before = tf.memory().numTensors;
    const loss = (layer: SeparateQkvAttention | MultiHeadAttention) => () => tf.sum(tf.mul(layer.apply(x, mask), upstream)) as tf.Scalar;
    const ours = tf.variableGrads(loss(attn), [...attn.stateDict().values()]);
    const theirs = tf.variableGrads(loss(twin), [...twin.stateDict().values()]);
    const [y, yRef] = [attn.apply(x, mask), twin.apply(x, mask)];
    expect(maxAbsDiff(y, yRef)).toBeLessThanOrEqual(TOLERANCE);
    const g = (layer: SeparateQkvAttention, grads: tf.NamedTensorMap, name: string) => grads[layer.stateDict().get(name)!.name];
    const gt = (name: string) => theirs.grads[twin.stateDict().get(name)!.name];
    for (const [part, i] of [
      ['q', 0],
      ['k', 1],
      ['v', 2],
    ] as const) {
      const rows = tf.slice(gt('in_proj_weight'), [i * D, 0], [D, D]);
      const bias = tf.slice(gt('in_proj_bias'), [i * D], [D]);
      expect(maxAbsDiff(g(attn, ours.grads, `${part}_proj.weight`), rows), `${part}_proj.weight`).toBeLessThanOrEqual(TOLERANCE);
      expect(maxAbsDiff(g(attn, ours.grads, `${part}_proj.bias`), bias), `${part}_proj.bias`).toBeLessThanOrEqual(TOLERANCE);
      tf.dispose([rows, bias]);
    }
    expect(maxAbsDiff(g(attn, ours.grads, 'out_proj.weight'), gt('out_proj.weight'))).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([y, yRef, ours.value, theirs.value, ...Object.values(ours.grads), ...Object.values(theirs.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(mask ? [x, upstream, mask] : [x, upstream]);
    attn.dispose();
    twin.dispose();
  });

  it('initialises as SiglipPreTrainedModel: xavier_uniform_ weights, zero biases', () => {
    const attn = new SeparateQkvAttention(256, 4, new SeededRandom(3));
    const bound = Math.sqrt(6 / 512);
    for (const [name, v] of attn.stateDict()) {
      const values = v.dataSync();
      if (name.endsWith('bias'))
        expect(
          values.every((x) => x === 0),
          name,
        ).toBe(true);
      else {
        expect(
          values.every((x) => Math.abs(x) <= bound),
          name,
        ).toBe(true);
        // U(-b, b) has std b / sqrt 3; 65536 samples put the estimate within ~1%.
        const std = Math.sqrt(Array.from(values).reduce((s, x) => s + x * x, 0) / values.length);
        expect(std / (bound / Math.sqrt(3)), name).toBeCloseTo(1, 1);
      }
    }
    attn.dispose();
  });
});
