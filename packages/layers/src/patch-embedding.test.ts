import { initTfjs } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PatchEmbedding } from './patch-embedding.js';

// Sums of 48 float32 products, in another order than tfjs's convolution: rounding only.
const TOLERANCE = 1e-5;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** nn.Conv2d(3, width, p, stride p) + flatten(2).transpose(1, 2), through tfjs's own convolution. */
function convolution(pixels: tf.Tensor4D, weight: tf.Tensor4D, bias: tf.Tensor1D, p: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [N] = pixels.shape;
    const out = tf.conv2d(tf.transpose(pixels, [0, 2, 3, 1]), tf.transpose(weight, [2, 3, 1, 0]), p, 'valid'); // [N, gh, gw, width]
    return tf.reshape(tf.add(out, bias), [N, -1, weight.shape[0]]);
  });
}

describe.each(['wasm', 'cpu', 'blas'] as const)('PatchEmbedding on %s', (device) => {
  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device);
  });

  it('equals the strided convolution with bias, patches in row-major order, and so do its gradients', () => {
    const rng = new SeededRandom(5);
    const layer = new PatchEmbedding(5, 4, rng); // a 2 x 3 grid of 4x4 patches
    const pixels = tf.tensor4d(rng.normalArray(2 * 3 * 8 * 12), [2, 3, 8, 12]);
    const upstream = tf.tensor3d(rng.normalArray(2 * 6 * 5), [2, 6, 5]);
    const before = tf.memory().numTensors;
    const [y, yRef] = [layer.apply(pixels), convolution(pixels, layer.weight, layer.bias!, 4)];
    expect(y.shape).toEqual([2, 6, 5]);
    expect(maxAbsDiff(y, yRef)).toBeLessThanOrEqual(TOLERANCE);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(pixels), upstream)), [layer.weight, layer.bias!]);
    const dx = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(layer.apply(x as tf.Tensor4D), upstream)))(pixels);
    const reference = tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(convolution(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, 4), upstream)));
    const want = reference([pixels, layer.weight, layer.bias!]);
    const got = [dx, grads[layer.weight.name], grads[layer.bias!.name]];
    for (const [i, name] of ['pixels', 'weight', 'bias'].entries()) expect(maxAbsDiff(got[i], want[i]), name).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([y, yRef, value, ...got, ...want]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pixels, upstream]);
    layer.dispose();
  });

  it('has no bias when asked, and takes given initial weights', () => {
    const weight = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const layer = new PatchEmbedding(2, 2, new SeededRandom(0), { bias: false, weight });
    expect([...layer.stateDict().keys()]).toEqual(['weight']);
    const pixels = tf.ones([1, 3, 2, 2]) as tf.Tensor4D;
    // One patch of ones: each output is the sum of its filter, 0+...+11 = 66 and 12+...+23 = 210.
    const y = layer.apply(pixels);
    expect(Array.from(y.dataSync())).toEqual([66, 210]);
    tf.dispose([pixels, y]);
    layer.dispose();
  });
});
