import { initTfjs } from '@clipkit/backend-tfjs';
import { ClipkitError, SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, fixtureTensor, loadLossCases } from './loss-fixtures.test-support.js';
import { sigLipSigmoidLoss } from './siglip-sigmoid-loss.js';

const CASES = await loadLossCases();
const GRADIENTS = ['image_features', 'text_features', 'logit_scale', 'logit_bias'];

/** L2-normalised random features [batch, dim], as the towers hand them to the loss. */
function unitRows(rng: SeededRandom, batch: number, dim: number): tf.Tensor2D {
  return tf.tidy(() => {
    const x = tf.tensor2d(rng.normalArray(batch * dim), [batch, dim]);
    return tf.div(x, tf.norm(x, 2, 1, true)) as tf.Tensor2D;
  });
}

/** The loss and its gradients w.r.t. image features, text features, scale and bias, times an upstream 2.5 (so dy is not 1). */
function lossAndGrads(image: tf.Tensor, text: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor, chunkSize: number | null) {
  return tf.valueAndGrads(
    (i: tf.Tensor, t: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => tf.mul(sigLipSigmoidLoss(i as tf.Tensor2D, t as tf.Tensor2D, s, b, { chunkSize }), 2.5) as tf.Scalar,
  )([image, text, scale, bias]);
}

describe.each(['wasm', 'cpu'] as const)('sigLipSigmoidLoss on %s', (device) => {
  beforeAll(async () => {
    await initTfjs({ device, log: () => undefined });
  });

  // Tolerance: the fixtures' |a - ref| <= 1e-5 + 1e-4 |ref|, for the value and every gradient.
  describe.each([null, 3])('chunkSize %s', (chunkSize) => {
    it.each(CASES.map((c) => [c.name, c] as const))('matches open_clip SigLipLoss and its autograd gradients on %s', (_, c) => {
      const [image, text, scale, bias] = ['image_features', 'text_features', 'logit_scale', 'logit_bias'].map((n) => fixtureTensor(c, n));
      const before = tf.memory().numTensors;
      const loss = sigLipSigmoidLoss(image as tf.Tensor2D, text as tf.Tensor2D, scale, bias, { chunkSize });
      const { value, grads } = lossAndGrads(image, text, scale, bias, chunkSize);
      expect(loss.shape).toEqual([]);
      expectClose(loss, c.tensors.get('siglip_loss')!.data, 'siglip_loss');
      expectClose(value, c.tensors.get('siglip_loss')!.data, 'siglip_loss x 2.5', 2.5);
      for (const [k, name] of GRADIENTS.entries()) expectClose(grads[k], c.tensors.get(`siglip_grad_${name}`)!.data, `siglip_grad_${name} x 2.5`, 2.5);
      tf.dispose([loss, value, ...grads]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([image, text, scale, bias]);
    });
  });

  describe.each([9, 13])('chunked equals unchunked at batch %i', (batch) => {
    it.each([1, 3, 7, batch, batch + 5])('chunkSize %i: value and all four gradients', (chunkSize) => {
      const rng = new SeededRandom(batch * 100 + chunkSize);
      const image = unitRows(rng, batch, 16);
      const text = unitRows(rng, batch, 16);
      const scale = tf.scalar(14.3);
      const bias = tf.scalar(-3);
      const whole = lossAndGrads(image, text, scale, bias, null);
      const before = tf.memory().numTensors;
      const chunked = lossAndGrads(image, text, scale, bias, chunkSize);
      // Same bound as the fixtures: only the summation order differs.
      expectClose(chunked.value, whole.value.dataSync(), 'loss');
      for (const [k, name] of GRADIENTS.entries()) expectClose(chunked.grads[k], whole.grads[k].dataSync(), `grad ${name}`);
      tf.dispose([chunked.value, ...chunked.grads]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([image, text, scale, bias, whole.value, ...whole.grads]);
    });
  });

  it.each([null, 1])('is -log sigmoid(s x.y + b) at batch 1 (hand-worked), chunkSize %s', (chunkSize) => {
    const x = tf.tensor2d([[0.6, 0.8]]);
    const y = tf.tensor2d([[1, 0]]);
    // s x.y + b = 10 * 0.6 - 8 = -2, so the loss is log(1 + e^2) = 2.1269280110429727; float32 tolerance 1e-6.
    const loss = sigLipSigmoidLoss(x, y, 10, -8, { chunkSize });
    expect(Math.abs(loss.dataSync()[0] - Math.log1p(Math.exp(2)))).toBeLessThan(1e-6);
    tf.dispose([x, y, loss]);
  });

  it.each([null, 1])('stays exact where log(1 + exp) overflows float32, chunkSize %s', (chunkSize) => {
    // Two copies of one unit vector at scale 100, bias -10: all four logits are 90. The two matching pairs
    // cost log(1 + e^-90) ~ 0, the two non-matching ones log(1 + e^90) = 90 (e^90 is inf in float32): 180 / 2.
    const [features, scale, bias] = [
      tf.tensor2d([
        [1, 0],
        [1, 0],
      ]),
      tf.scalar(100),
      tf.scalar(-10),
    ];
    const { value, grads } = lossAndGrads(features, features, scale, bias, chunkSize);
    expect(Math.abs(value.dataSync()[0] / 2.5 - 90)).toBeLessThan(1e-4); // float32 ulp at 90 is 7.6e-6
    // dL/db = (1/B) sum over pairs of -Y sigmoid(-Y logit) = (0 + 1 + 1 + 0) / 2 = 1 (tolerance 1e-6).
    expect(Math.abs(grads[3].dataSync()[0] / 2.5 - 1)).toBeLessThan(1e-6);
    for (const g of grads) expect(g.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([features, scale, bias, value, ...grads]);
  });

  it.each([null, 256])("keeps the fixtures' accuracy at batch 1024 against a float64 reference, chunkSize %s", (chunkSize) => {
    // Over 1024^2 pairs a float32 sum taken in one sequential pass (wasm's Sum) loses the negative pairs'
    // ~1e-5 terms: 15x this tolerance on dL/db before the sums went row by row.
    const [batch, dim, s, b] = [1024, 16, 10, -10];
    const rng = new SeededRandom(5);
    const image = unitRows(rng, batch, dim);
    const text = unitRows(rng, batch, dim);
    const [x, y] = [image.dataSync(), text.dataSync()];
    let [loss, dScale, dBias] = [0, 0, 0];
    for (let i = 0; i < batch; i++) {
      for (let j = 0; j < batch; j++) {
        let cosine = 0;
        for (let k = 0; k < dim; k++) cosine += x[i * dim + k] * y[j * dim + k];
        const label = i === j ? 1 : -1;
        const z = label * (s * cosine + b);
        loss += (Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) / batch;
        const dLogit = -label / (1 + Math.exp(z)) / batch; // -(1/B) Y sigmoid(-z)
        dScale += dLogit * cosine;
        dBias += dLogit;
      }
    }
    const [scale, bias] = [tf.scalar(s), tf.scalar(b)];
    const { value, grads } = tf.valueAndGrads((i: tf.Tensor, t: tf.Tensor, sc: tf.Tensor, bi: tf.Tensor) =>
      sigLipSigmoidLoss(i as tf.Tensor2D, t as tf.Tensor2D, sc, bi, { chunkSize }),
    )([image, text, scale, bias]);
    expectClose(value, [loss], 'loss');
    expectClose(grads[2], [dScale], 'dL/ds');
    expectClose(grads[3], [dBias], 'dL/db');
    tf.dispose([image, text, scale, bias, value, ...grads]);
  });

  it('never materialises the B x B matrix when chunked, forward or backward', async () => {
    const rng = new SeededRandom(7);
    const batch = 48;
    const image = unitRows(rng, batch, 8);
    const text = unitRows(rng, batch, 8);
    const largestOutput = async (chunkSize: number | null) => {
      const profile = await tf.profile(() => {
        tf.tidy(() => lossAndGrads(image, text, tf.scalar(10), tf.scalar(-10), chunkSize));
      });
      return Math.max(...profile.kernels.flatMap((k) => k.outputShapes.map((shape) => shape.reduce((n, d) => n * d, 1))));
    };
    expect(await largestOutput(null)).toBe(batch * batch); // the invariant below can fail
    expect(await largestOutput(8)).toBeLessThanOrEqual(8 * batch); // row blocks [8, B]; features are [B, 8]
    tf.dispose([image, text]);
  });

  it('rejects a chunkSize that is not a positive integer', () => {
    const x = tf.zeros([2, 4]) as tf.Tensor2D;
    for (const chunkSize of [0, -1, 2.5]) {
      expect(() => sigLipSigmoidLoss(x, x, 10, -10, { chunkSize })).toThrow(ClipkitError);
    }
    expect(() => sigLipSigmoidLoss(x, x, 10, -10, { chunkSize: 0 })).toThrow(/chunkSize must be a positive integer/);
    tf.dispose(x);
  });
});
