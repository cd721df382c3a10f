import { initTfjs } from '@clipkit/backend-tfjs';
import { ClipkitError, SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipSoftmaxLoss } from './clip-softmax-loss.js';
import { expectClose, fixtureTensor, loadLossCases } from './loss-fixtures.test-support.js';

const CASES = await loadLossCases();

describe.each(['wasm', 'cpu'] as const)('clipSoftmaxLoss on %s', (device) => {
  beforeAll(async () => {
    await initTfjs({ device, log: () => undefined });
  });

  it('reads all six open_clip cases', () => {
    expect(CASES.map((c) => c.name)).toHaveLength(6);
  });

  // Tolerance: the fixtures' |a - ref| <= 1e-5 + 1e-4 |ref|, for the value and every gradient.
  it.each(CASES.map((c) => [c.name, c] as const))('matches open_clip ClipLoss and its autograd gradients on %s', (_, c) => {
    const [image, text, scale] = ['image_features', 'text_features', 'logit_scale'].map((n) => fixtureTensor(c, n)) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor];
    const before = tf.memory().numTensors;
    const loss = clipSoftmaxLoss(image, text, scale);
    const { value, grads } = tf.valueAndGrads((i: tf.Tensor, t: tf.Tensor, s: tf.Tensor) => clipSoftmaxLoss(i as tf.Tensor2D, t as tf.Tensor2D, s))([image, text, scale]);
    expect(loss.shape).toEqual([]);
    expectClose(loss, c.tensors.get('clip_loss')!.data, 'clip_loss');
    expectClose(value, c.tensors.get('clip_loss')!.data, 'clip_loss (under valueAndGrads)');
    expectClose(grads[0], c.tensors.get('clip_grad_image_features')!.data, 'clip_grad_image_features');
    expectClose(grads[1], c.tensors.get('clip_grad_text_features')!.data, 'clip_grad_text_features');
    expectClose(grads[2], c.tensors.get('clip_grad_logit_scale')!.data, 'clip_grad_logit_scale');
    tf.dispose([loss, value, ...grads]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([image, text, scale]);
  });

  it('is 0 with zero gradients at batch 1 (hand-worked: the log-softmax of a single logit is 0)', () => {
    const rng = new SeededRandom(3);
    const image = tf.tensor2d(rng.normalArray(8), [1, 8]);
    const text = tf.tensor2d(rng.normalArray(8), [1, 8]);
    const { value, grads } = tf.valueAndGrads((i: tf.Tensor, t: tf.Tensor, s: tf.Tensor) => clipSoftmaxLoss(i as tf.Tensor2D, t as tf.Tensor2D, s))([image, text, tf.scalar(100)]);
    // Tolerance 1e-7: x - max(x) and log(exp(0)) are exact, so anything but 0 is a formula error.
    expect(Math.abs(value.dataSync()[0])).toBeLessThanOrEqual(1e-7);
    for (const g of grads) expect(tf.max(tf.abs(g)).dataSync()[0]).toBeLessThanOrEqual(1e-7);
    tf.dispose([image, text, value, ...grads]);
  });

  it('stays finite when the scaled logits are far beyond exp range', () => {
    // Scale 1000 on opposite unit vectors: logits ±1000, where a softmax without max-subtraction overflows.
    const image = tf.tensor2d([
      [1, 0],
      [-1, 0],
    ]);
    const text = tf.tensor2d([
      [1, 0],
      [-1, 0],
    ]);
    const loss = clipSoftmaxLoss(image, text, 1000);
    // Hand-worked: each row's correct logit exceeds the other by 2000, so each CE is log(1 + e^-2000) = 0 in float32.
    expect(Math.abs(loss.dataSync()[0])).toBe(0);
    tf.dispose([image, text, loss]);
  });

  it('rejects features of different batch sizes, naming both shapes', () => {
    const image = tf.zeros([3, 4]) as tf.Tensor2D;
    const text = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => clipSoftmaxLoss(image, text, 10)).toThrow(ClipkitError);
    expect(() => clipSoftmaxLoss(image, text, 10)).toThrow(/imageFeatures has 3 rows but textFeatures has 2/);
    tf.dispose([image, text]);
  });
});
