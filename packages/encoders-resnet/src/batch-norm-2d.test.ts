import { initTfjs } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm2d } from './batch-norm-2d.js';

const CLOSE = 1e-6; // float32 rounding of values of order 1

function expectValues(actual: tf.Tensor, expected: number[], what: string): void {
  const got = Array.from(actual.dataSync());
  expect(got.length, what).toBe(expected.length);
  for (const [i, value] of got.entries()) expect(Math.abs(value - expected[i]), `${what}[${i}]`).toBeLessThan(CLOSE);
}

function withAffine(weight: number[], bias: number[]): BatchNorm2d {
  const bn = new BatchNorm2d(weight.length);
  tf.tidy(() => {
    bn.weight.assign(tf.tensor1d(weight));
    bn.bias.assign(tf.tensor1d(bias));
  });
  return bn;
}

describe.each(['wasm', 'cpu', 'blas'] as const)('BatchNorm2d on %s', (device) => {
  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
  });

  // Input [N=2, H=1, W=2, C=2]: channel 0 holds 1, 2, 3, 4 and channel 1 holds 10, 10, 10, 14.
  const input = () => tf.tensor4d([1, 10, 2, 10, 3, 10, 4, 14], [2, 1, 2, 2]);

  it('normalises with the batch statistics and updates the running ones as PyTorch (hand-worked)', () => {
    const bn = withAffine([2, 1], [1, -1]);
    const x = input();
    const before = tf.memory().numTensors;
    const y = bn.apply(x, true);
    // Channel 0: mean 2.5, biased variance 1.25; channel 1: mean 11, biased variance 3.
    const s0 = Math.sqrt(1.25 + 1e-5);
    const s1 = Math.sqrt(3 + 1e-5);
    const c0 = [1, 2, 3, 4].map((v) => (2 * (v - 2.5)) / s0 + 1);
    const c1 = [10, 10, 10, 14].map((v) => (v - 11) / s1 - 1);
    expectValues(y, [c0[0], c1[0], c0[1], c1[1], c0[2], c1[2], c0[3], c1[3]], 'training output');
    // running = 0.9 running + 0.1 batch with the unbiased variance (4/3 of the biased one): 1.25 -> 5/3, 3 -> 4.
    expectValues(bn.runningMean, [0.25, 1.1], 'running_mean');
    expectValues(bn.runningVar, [0.9 + 0.1 * (5 / 3), 0.9 + 0.1 * 4], 'running_var');
    y.dispose();
    expect(tf.memory().numTensors, 'tensors after a training forward').toBe(before);
    x.dispose();
    bn.dispose();
  });

  it('normalises with the running statistics in eval mode and leaves them alone (hand-worked)', () => {
    const bn = withAffine([2, 1], [1, -1]);
    tf.tidy(() => {
      bn.runningMean.assign(tf.tensor1d([1, 10]));
      bn.runningVar.assign(tf.tensor1d([4, 0.25]));
    });
    const x = input();
    const y = bn.apply(x, false);
    const s0 = Math.sqrt(4 + 1e-5);
    const s1 = Math.sqrt(0.25 + 1e-5);
    const c0 = [1, 2, 3, 4].map((v) => (2 * (v - 1)) / s0 + 1);
    const c1 = [10, 10, 10, 14].map((v) => (v - 10) / s1 - 1);
    expectValues(y, [c0[0], c1[0], c0[1], c1[1], c0[2], c1[2], c0[3], c1[3]], 'eval output');
    expectValues(bn.runningMean, [1, 10], 'running_mean');
    expectValues(bn.runningVar, [4, 0.25], 'running_var');
    tf.dispose([x, y]);
    bn.dispose();
  });

  it('has the gradients of autodiff through the batch moments', () => {
    const rng = new SeededRandom(5);
    const bn = withAffine(Array.from(rng.normalArray(3)), Array.from(rng.normalArray(3)));
    const x = tf.tensor4d(rng.normalArray(2 * 3 * 4 * 3, 2, 1), [2, 3, 4, 3]);
    const upstream = tf.tensor4d(rng.normalArray(2 * 3 * 4 * 3), [2, 3, 4, 3]);
    const reference = (input: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) =>
      tf.tidy(() => {
        const { mean, variance } = tf.moments(input, [0, 1, 2]);
        return tf.add(tf.mul(tf.div(tf.sub(input, mean), tf.sqrt(tf.add(variance, 1e-5))), weight), bias);
      });
    const loss = (f: (input: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) => tf.Tensor) => (input: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) =>
      tf.sum(tf.mul(f(input, weight, bias), upstream));
    const before = tf.memory().numTensors;
    const ours = tf.grads(loss((input) => bn.apply(input as tf.Tensor4D, true)))([x, bn.weight, bn.bias]);
    const expected = tf.grads(loss(reference))([x, bn.weight, bn.bias]);
    ['input', 'weight', 'bias'].forEach((what, i) => {
      // float32 sums of 24 terms; relative to the largest gradient entry
      const error = tf.tidy(() => tf.max(tf.abs(tf.sub(ours[i], expected[i]))).dataSync()[0] / tf.max(tf.abs(expected[i])).dataSync()[0]);
      expect(error, `${what} gradient`).toBeLessThan(1e-5);
    });
    tf.dispose([...ours, ...expected]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, upstream]);
    bn.dispose();
  });

  it('refuses batch statistics of a single value per channel, as PyTorch', () => {
    const bn = new BatchNorm2d(2);
    const x = tf.zeros([1, 1, 1, 2]) as tf.Tensor4D;
    expect(() => bn.apply(x, true)).toThrow('got input [1, 1, 1, 2]; train with a batch of 2 or more');
    x.dispose();
    bn.dispose();
  });

  it('registers PyTorch names, running statistics as buffers', () => {
    const bn = new BatchNorm2d(4);
    expect([...bn.stateDict()].map(([name, v]) => [name, v.shape, v.trainable])).toEqual([
      ['weight', [4], true],
      ['bias', [4], true],
      ['running_mean', [4], false],
      ['running_var', [4], false],
    ]);
    bn.dispose();
  });
});
