import { initTfjs } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, linear } from './linear.js';

const TOLERANCE = 1e-5; // float32 sums of 24 products; autograd and the hand-written gradient differ only by rounding

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe.each(['wasm', 'cpu', 'blas'] as const)('Linear on %s', (device) => {
  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
  });

  it('computes x W^T + b (hand-worked)', () => {
    const layer = new Linear(2, 2, new SeededRandom(0), { weight: Float32Array.from([1, 2, 3, 4]), biasValues: Float32Array.from([10, 20]) });
    const y = layer.apply(
      tf.tensor2d([
        [1, 1],
        [0, 1],
      ]),
    );
    // [1,1]·[1,2]=3, [1,1]·[3,4]=7, [0,1]·[1,2]=2, [0,1]·[3,4]=4; plus the bias.
    expect(Array.from(y.dataSync())).toEqual([13, 27, 12, 24]);
    tf.dispose([y]);
    layer.dispose();
  });

  it('has the gradients of tfjs autograd for x, W and b, and leaks nothing', () => {
    const rng = new SeededRandom(1);
    const layer = new Linear(24, 16, rng);
    const x = tf.tensor2d(rng.normalArray(5 * 24), [5, 24]);
    const upstream = tf.tensor2d(rng.normalArray(5 * 16), [5, 16]);
    const before = tf.memory().numTensors;
    const ours = tf.grads((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input as tf.Tensor2D), upstream)))([x]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x), upstream)));
    const reference = tf.grads((input: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(input, w, false, true), b), upstream)));
    const [dx, dw, db] = reference([x, layer.weight, layer.bias!]);
    expect(maxAbsDiff(ours[0], dx)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(grads[layer.weight.name], dw)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(grads[layer.bias!.name], db)).toBeLessThan(TOLERANCE);
    tf.dispose([...ours, value, ...Object.values(grads), dx, dw, db]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, upstream]);
    layer.dispose();
  });

  it('linear() has the gradients of tfjs autograd for a weight that is not a Variable', () => {
    const rng = new SeededRandom(3);
    const [x, w] = [tf.tensor2d(rng.normalArray(5 * 24), [5, 24]), tf.tensor2d(rng.normalArray(16 * 24), [16, 24])];
    const upstream = tf.tensor2d(rng.normalArray(5 * 16), [5, 16]);
    const before = tf.memory().numTensors;
    const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(linear(a as tf.Tensor2D, b as tf.Tensor2D), upstream)))([x, w]);
    const reference = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, false, true), upstream)))([x, w]);
    expect(maxAbsDiff(ours[0], reference[0])).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(ours[1], reference[1])).toBeLessThan(TOLERANCE);
    tf.dispose([...ours, ...reference]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, upstream]);
  });

  it('names its state as PyTorch does', () => {
    const layer = new Linear(3, 2, new SeededRandom(0));
    expect([...layer.stateDict()].map(([name, v]) => [name, v.shape])).toEqual([
      ['weight', [2, 3]],
      ['bias', [2]],
    ]);
    layer.dispose();
  });
});
