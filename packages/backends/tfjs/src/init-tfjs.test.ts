import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadBlasAddon } from './blas-addon.js';
import { initTfjs } from './init-tfjs.js';
import { requireBlasAddon } from './testing/blas-test-support.js';

// Gradients of the same float32 maths on two backends differ only by summation order.
const TOLERANCE = 1e-5;

function seededTensor(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** Runs `gradient` on the cpu and on the wasm backend from the same inputs and returns the largest difference. */
async function maxGradientDifference(gradient: () => tf.Tensor[]): Promise<number> {
  const results: Float32Array[][] = [];
  for (const device of ['cpu', 'wasm'] as const) {
    await initTfjs({ device, log: () => undefined });
    const before = tf.memory().numTensors;
    const grads = gradient();
    results.push(grads.map((g) => g.dataSync() as Float32Array));
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
  }
  let worst = 0;
  for (const [i, cpu] of results[0].entries()) {
    for (const [j, v] of cpu.entries()) worst = Math.max(worst, Math.abs(v - results[1][i][j]));
  }
  return worst;
}

describe('initTfjs', () => {
  it('picks blas on a machine without tfjs-node where the addon is built, and says with which GEMM', async () => {
    const lines: string[] = [];
    const selection = await initTfjs({ device: 'auto', log: (line) => lines.push(line) });
    expect(selection.backend).toBe('blas');
    expect(tf.getBackend()).toBe('blas');
    const { gemm } = requireBlasAddon().info();
    expect(gemm).toMatch(/^(OpenBLAS \d+\.\d+\.\d+ \w+|clipkit sgemm (AVX2|SSE2))$/);
    expect(lines).toEqual([`clipkit: tfjs backend blas (${gemm}, ${availableParallelism()} thread${availableParallelism() === 1 ? '' : 's'}; tfjs-node not installed)`]);
  });

  it('runs the blas backend on the number of threads asked for', async () => {
    const selection = await initTfjs({ device: 'blas', threads: 1, log: () => undefined });
    expect(selection.description).toMatch(/, 1 thread\)$/);
    const load = loadBlasAddon();
    expect('addon' in load && load.addon.info().threads).toBe(1);
  });

  it('explains how to install tfjs-node when the tensorflow device is asked for', async () => {
    await expect(initTfjs({ device: 'tensorflow', log: () => undefined })).rejects.toThrow(/npm install @tensorflow\/tfjs-node/);
  });

  it('switches to the cpu backend on request', async () => {
    expect((await initTfjs({ device: 'cpu', log: () => undefined })).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('computes the gradient of a strided conv2d on wasm as the cpu backend does (weights included)', async () => {
    const worst = await maxGradientDifference(() => {
      const x = seededTensor([2, 9, 9, 3], 1) as tf.Tensor4D;
      const w = seededTensor([3, 3, 3, 4], 2) as tf.Tensor4D;
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))))([x, w]);
      tf.dispose([x, w]);
      return grads;
    });
    expect(worst).toBeLessThan(TOLERANCE * 100); // gradients here are O(100): the bound is relative
  });

  it('computes the gradient of a gather (an embedding lookup) on wasm as the cpu backend does', async () => {
    const worst = await maxGradientDifference(() => {
      const table = seededTensor([10, 4], 3);
      const ids = tf.tensor1d([1, 3, 3, 9, 0, 1], 'int32');
      const grads = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), tf.range(0, 4))))([table]);
      tf.dispose([table, ids]);
      return grads;
    });
    expect(worst).toBeLessThan(TOLERANCE);
  });
});
