import { initTfjs } from '@clipkit/backend-tfjs';
import { ClipkitError, SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { similarityLogits } from './similarity-logits.js';

describe.each(['wasm', 'cpu'] as const)('similarityLogits on %s', (device) => {
  beforeAll(async () => {
    await initTfjs({ device, log: () => undefined });
  });

  it('is s I T^T + b, image rows against text columns (hand-worked)', () => {
    const image = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const text = tf.tensor2d([
      [0.6, 0.8],
      [1, 0],
      [0, -1],
    ]);
    // I T^T = [[0.6, 1, 0], [0.8, 0, -1]]; x 10 - 1.
    const logits = similarityLogits(image, text, 10, -1);
    expect(logits.shape).toEqual([2, 3]);
    expect(Array.from(logits.dataSync()).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([5, 9, -1, 7, -1, -11]);
    tf.dispose([image, text, logits]);
  });

  it('has the gradients of tfjs autograd of s * matMul(I, T, false, true) + b, and leaks nothing', () => {
    const rng = new SeededRandom(2);
    const image = tf.tensor2d(rng.normalArray(5 * 6), [5, 6]);
    const text = tf.tensor2d(rng.normalArray(4 * 6), [4, 6]);
    const upstream = tf.tensor2d(rng.normalArray(5 * 4), [5, 4]);
    const [scale, bias] = [tf.scalar(3), tf.scalar(-2)];
    const before = tf.memory().numTensors;
    const ours = tf.grads((i: tf.Tensor, t: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(similarityLogits(i as tf.Tensor2D, t as tf.Tensor2D, s, b), upstream)))([
      image,
      text,
      scale,
      bias,
    ]);
    const reference = tf.grads((i: tf.Tensor, t: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.mul(s, tf.matMul(i, t, false, true)), b), upstream)))([
      image,
      text,
      scale,
      bias,
    ]);
    // Tolerance 1e-5: sums of 4-20 float32 products; only the order of operations differs.
    ours.forEach((g, k) => {
      expect(g.shape).toEqual(reference[k].shape);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(g, reference[k]))).dataSync()[0])).toBeLessThan(1e-5);
    });
    tf.dispose([...ours, ...reference]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([image, text, upstream, scale, bias]);
  });

  it('rejects features that are not [B, D] matrices of one width, and non-scalar scales', () => {
    const a = tf.zeros([2, 4]) as tf.Tensor2D;
    const b = tf.zeros([2, 3]) as tf.Tensor2D;
    const flat = tf.zeros([4]) as unknown as tf.Tensor2D;
    const pair = tf.ones([2]);
    expect(() => similarityLogits(a, b, 1)).toThrow(/different embedding widths/);
    expect(() => similarityLogits(flat, a, 1)).toThrow(/imageFeatures must be a \[batch, dim\] matrix, got shape \[4\]/);
    expect(() => similarityLogits(a, a, pair)).toThrow(ClipkitError);
    tf.dispose([a, b, flat, pair]);
  });
});
