import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BlasAddon } from './blas-addon.js';
import { initTfjs } from './init-tfjs.js';
import { describeEachGemm, relativeError, requireBlasAddon, resultsOn } from './testing/blas-test-support.js';

// Every accelerated kernel against tfjs's own cpu kernel on the same inputs. The error of a result is
// max |blas - cpu| / max |cpu| over all its values: float32 sums in another order differ by a few ulp of
// the largest terms, so 1e-5 (the bound) holds with room to spare and catches any indexing slip.
const TOLERANCE = 1e-5;

let addon: BlasAddon;

beforeAll(() => {
  addon = requireBlasAddon();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const log = (): void => undefined;

/** Seeded values in [-scale, scale). */
function values(shape: number[], seed: number, scale = 1): Float32Array {
  const rng = new SeededRandom(seed);
  return rng.uniformArray(
    shape.reduce((a, b) => a * b, 1),
    -scale,
    scale,
  );
}

/**
 * Runs `compute` on the cpu and blas backends and expects the same results; `uses` names the addon
 * function that must have run on blas (so that a silent fallback to the cpu kernel cannot pass), or the
 * blas kernels, written in TypeScript, that must have run.
 */
async function expectAgreement(uses: keyof BlasAddon | { kernels: string[] }, compute: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const cpu = await resultsOn('cpu', compute);
  const spy = typeof uses === 'string' ? vi.spyOn(addon, uses) : null;
  const names = typeof uses === 'string' ? [] : uses.kernels;
  await initTfjs({ device: 'blas', log }); // registers the blas kernels to spy on
  const kernels = names.map((name) => [vi.spyOn(tf.getKernel(name, 'blas'), 'kernelFunc'), vi.spyOn(tf.getKernel(name, 'cpu'), 'kernelFunc')]);
  const blas = await resultsOn('blas', compute);
  if (spy) expect(spy).toHaveBeenCalled();
  for (const [ours, cpuKernel] of kernels) {
    expect(ours).toHaveBeenCalled();
    expect(cpuKernel).not.toHaveBeenCalled();
  }
  expect(blas.length).toBe(cpu.length);
  blas.forEach((b, i) => {
    expect(relativeError(b, cpu[i])).toBeLessThanOrEqual(TOLERANCE);
  });
}

const tensor = (shape: number[], seed: number, scale = 1): tf.Tensor => tf.tensor(values(shape, seed, scale), shape);

// The products and convolutions on every GEMM this machine has: OpenBLAS and each of clipkit's builds.
describeEachGemm(
  () => addon,
  () => {
    describe('blas matMul', () => {
      const cases: [string, number[], number[], boolean, boolean][] = [
        ['2-D', [37, 53], [53, 29], false, false],
        ['2-D, a transposed', [53, 37], [53, 29], true, false],
        ['2-D, b transposed', [37, 53], [29, 53], false, true],
        ['2-D, both transposed', [53, 37], [29, 53], true, true],
        ['2-D, sliced by rows over threads', [300, 90], [70, 90], false, true],
        ['2-D, sliced by columns over threads', [90, 20], [90, 500], true, false],
        ['2-D, long k summed in pieces (a weight gradient), a transposed', [2500, 40], [2500, 24], true, false],
        ['2-D, long k summed in pieces, b transposed', [40, 4200], [24, 4200], false, true],
        ['batched, whole products per thread', [6, 33, 20], [6, 18, 20], false, true],
        ['batched, a transposed', [6, 20, 33], [6, 20, 18], true, false],
        ['batched large, sliced', [3, 64, 200], [3, 150, 64], true, true],
        ['broadcast 2-D b', [5, 33, 20], [20, 18], false, false],
        ['broadcast batch of 1', [1, 33, 20], [4, 20, 18], false, false],
        ['broadcast over leading dims', [2, 3, 8, 5], [3, 5, 6], false, false],
        ['empty inner dimension', [3, 0], [0, 4], false, false],
      ];
      for (const [name, aShape, bShape, transposeA, transposeB] of cases) {
        it(`agrees with the cpu kernel: ${name} ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)}`, async () => {
          await expectAgreement('gemm', () => tf.matMul(tensor(aShape, 1), tensor(bShape, 2), transposeA, transposeB));
        });
      }

      it('broadcasts batch dims of 1 on both sides as numpy does ([2,1] x [1,3] -> [2,3])', async () => {
        // tfjs's cpu kernel pairs batch i with i % batchA, which differs here; the reference tiles explicitly.
        const expected = await resultsOn('cpu', () => tf.matMul(tf.tile(tensor([2, 1, 8, 5], 1), [1, 3, 1, 1]), tf.tile(tensor([1, 3, 5, 6], 2), [2, 1, 1, 1])));
        const actual = await resultsOn('blas', () => tf.matMul(tensor([2, 1, 8, 5], 1), tensor([1, 3, 5, 6], 2)));
        expect(relativeError(actual[0], expected[0])).toBeLessThanOrEqual(TOLERANCE);
      });

      it('computes the gradients of a transposed batched product (matMuls with transpose flags)', async () => {
        await expectAgreement('gemm', () => {
          const [a, b, w] = [tensor([4, 9, 7], 1), tensor([4, 11, 9], 2), tensor([4, 7, 11], 3)];
          return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, true, true), w)))([a, b]);
        });
      });
    });

    describe('blas fused matMul', () => {
      const activations: [tf.fused.Activation, number][] = [
        ['linear', 0],
        ['relu', 0],
        ['relu6', 0],
        ['elu', 0],
        ['sigmoid', 0],
        ['leakyrelu', 0.3],
        ['prelu', 0],
      ];
      for (const [activation, leakyreluAlpha] of activations) {
        it(`adds a per-column bias and applies ${activation} as the cpu kernel does`, async () => {
          await expectAgreement('biasActivation', () =>
            tf.fused.matMul({
              a: tensor([40, 24], 1, 4),
              b: tensor([30, 24], 2),
              transposeB: true,
              bias: tensor([30], 3),
              activation,
              leakyreluAlpha,
              preluActivationWeights: activation === 'prelu' ? tensor([30], 4) : undefined,
            }),
          );
        });
      }

      it('applies a bias that varies by row and a scalar prelu weight (through the cpu elementwise kernels)', async () => {
        await expectAgreement('gemm', () =>
          tf.fused.matMul({ a: tensor([3, 40, 24], 1, 4), b: tensor([24, 30], 2), bias: tensor([40, 1], 3), activation: 'prelu', preluActivationWeights: tf.scalar(0.1) }),
        );
      });

      it('computes the gradients of matMul + bias + relu', async () => {
        await expectAgreement('gemm', () => {
          const [a, b, bias] = [tensor([40, 24], 1), tensor([24, 30], 2), tensor([30], 3)];
          return tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
            tf.sum(tf.square(tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: z, activation: 'relu' }))),
          )([a, b, bias]);
        });
      });
    });

    describe('blas conv2d', () => {
      type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
      const cases: [string, number[], number[], number | [number, number], Pad, number | [number, number]][] = [
        ['3x3, stride 1, same', [2, 9, 11, 3], [3, 3, 3, 4], 1, 'same', 1],
        ['3x3, stride 2, same', [2, 9, 11, 3], [3, 3, 3, 4], 2, 'same', 1],
        ['3x3, strides [2, 1], valid', [2, 9, 11, 3], [3, 3, 3, 4], [2, 1], 'valid', 1],
        [
          '3x2, stride 2, explicit padding',
          [2, 9, 11, 3],
          [3, 2, 3, 5],
          2,
          [
            [0, 0],
            [1, 2],
            [2, 1],
            [0, 0],
          ],
          1,
        ],
        ['3x3, stride 1, numeric padding 1', [1, 7, 7, 2], [3, 3, 2, 3], 1, 1, 1],
        ['1x1 pointwise', [2, 6, 5, 8], [1, 1, 8, 7], 1, 'valid', 1],
        ['patch embedding: 4x4, stride 4', [3, 8, 8, 3], [4, 4, 3, 16], 4, 'valid', 1],
      ];
      for (const [name, xShape, wShape, strides, pad] of cases) {
        it(`agrees with the cpu kernels, gradients included: ${name}`, async () => {
          const compute = (): tf.Tensor[] => {
            const [x, w] = [tensor(xShape, 1) as tf.Tensor4D, tensor(wShape, 2) as tf.Tensor4D];
            const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor4D => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad as 'same');
            const weights = tf.onesLike(conv(x, w)).mul(tf.range(0, wShape[3]).div(wShape[3])); // a non-uniform upstream gradient
            return [conv(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), weights)))([x, w])];
          };
          const spies = (['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'] as const).map((name) => vi.spyOn(addon, name));
          await expectAgreement('conv2d', compute);
          for (const spy of spies) expect(spy).toHaveBeenCalled();
        });
      }

      it('agrees with the cpu kernel with dilation 2 (forward only: tfjs has no gradient for dilated convolutions)', async () => {
        await expectAgreement('conv2d', () => tf.conv2d(tensor([2, 11, 10, 3], 1) as tf.Tensor4D, tensor([3, 3, 3, 4], 2) as tf.Tensor4D, 1, 'same', 'NHWC', 2));
      });
    });
  },
);

describe('blas elementwise kernels', () => {
  const binary: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, number[], number[]][] = [
    ['add, same shape', tf.add, [64, 300], [64, 300]],
    ['add, bias along the last axis', tf.add, [6, 64, 30], [30]],
    ['sub, column against row', tf.sub, [64, 1], [1, 300]],
    ['mul, scalar', tf.mul, [64, 300], []],
    ['mul, middle axis broadcast', tf.mul, [4, 1, 5], [3, 1]],
    ['div, per-row', tf.div, [16, 65, 40], [16, 65, 1]],
    ['maximum', tf.maximum, [50, 20], [20]],
    ['minimum', tf.minimum, [50, 20], [50, 1]],
    ['squaredDifference', tf.squaredDifference, [50, 20], [50, 20]],
  ];
  for (const [name, op, aShape, bShape] of binary) {
    it(`${name} ${JSON.stringify(aShape)} with ${JSON.stringify(bShape)}`, async () => {
      await expectAgreement('binary', () => op(tensor(aShape, 1), tensor(bShape, 2)));
    });
  }

  it('pow of positive bases', async () => {
    await expectAgreement('binary', () => tf.pow(tf.add(tensor([40, 30], 1), 1.5), tensor([30], 2, 3)));
  });

  const unary: [string, (x: tf.Tensor) => tf.Tensor, number][] = [
    ['exp', tf.exp, 20],
    ['sigmoid', tf.sigmoid, 20],
    ['erf', tf.erf, 4],
    ['tanh', tf.tanh, 6],
    ['square', tf.square, 3],
    ['neg', tf.neg, 3],
    ['abs', tf.abs, 3],
    ['relu', tf.relu, 3],
  ];
  for (const [name, op, scale] of unary) {
    it(`${name} over [-${scale}, ${scale})`, async () => {
      await expectAgreement('unary', () => op(tensor([4000], 1, scale)));
    });
  }

  it('step (the mask of the ReLU gradient, exact zeros included), the ReLU gradient, and a leaky step on the cpu kernel', async () => {
    await expectAgreement('unary', () => {
      const x = tf.concat([tensor([4000], 1, 3), tf.tensor1d([0, -0])]);
      return [tf.step(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tensor([4002], 2))))(x), tf.step(x, 0.3)];
    });
  });

  it('step keeps NaN, as the cpu kernel does', async () => {
    const [step] = await resultsOn('blas', () => tf.step(tf.tensor1d([Number.NaN, 2, -2])));
    expect(Array.from(step)).toEqual([Number.NaN, 1, 0]);
  });

  it('sqrt, rsqrt and log of positive values', async () => {
    await expectAgreement('unary', () => {
      const x = tf.add(tensor([4000], 1, 5), 5.01);
      return [tf.sqrt(x), tf.rsqrt(x), tf.log(x)];
    });
  });
});

describe('blas reductions and softmax', () => {
  const reductions: [string, number[], number | number[], boolean][] = [
    ['the last axis (LayerNorm)', [8, 65, 48], 2, true],
    ['the leading axes (a bias gradient)', [8, 65, 48], [0, 1], false],
    ['axis 0, over threads in bands', [4000, 24], 0, false],
    ['a middle axis', [4, 5, 6], 1, true],
    ['every axis', [30, 20], [0, 1], false],
    ['two separated axes (transposed first)', [4, 5, 6], [0, 2], false],
  ];
  for (const [name, shape, axis, keepDims] of reductions) {
    it(`sum, mean, max and min over ${name}`, async () => {
      await expectAgreement('reduce', () => {
        const x = tensor(shape, 1);
        return [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims), tf.max(x, axis, keepDims), tf.min(x, axis, keepDims)];
      });
    });
  }

  it('softmax over the last axis of attention-shaped scores, and its gradient', async () => {
    await expectAgreement('softmax', () => {
      const scores = tensor([4, 10, 33], 1, 30);
      const weights = tensor([4, 10, 33], 2);
      return [tf.softmax(scores), ...tf.grads((s: tf.Tensor) => tf.sum(tf.mul(tf.softmax(s), weights)))([scores])];
    });
  });
});

describe('blas transposes, slices and splits', () => {
  const perms: [number[], number[]][] = [
    [
      [64, 96],
      [1, 0],
    ],
    [
      [2, 3, 4, 5],
      [0, 2, 1, 3],
    ],
    [
      [2, 3, 4, 5],
      [3, 2, 1, 0],
    ],
    [
      [4, 6, 3, 2, 8],
      [2, 0, 3, 1, 4],
    ], // attention's [B, T, 3, H, hd] -> [3, B, H, T, hd]
    [
      [3, 1, 40, 33],
      [0, 3, 1, 2],
    ],
  ];
  for (const [shape, perm] of perms) {
    it(`transposes ${JSON.stringify(shape)} by ${JSON.stringify(perm)}`, async () => {
      await expectAgreement('stridedCopy', () => tf.transpose(tensor(shape, 1), perm));
    });
  }

  it('slices off the class token, splits and unstacks', async () => {
    await expectAgreement('stridedCopy', () => {
      const x = tensor([4, 65, 32], 1);
      return [tf.slice(x, [0, 1, 0], [4, 64, 32]), tf.slice(x, [1, 3, 5], [2, 10, 7]), ...tf.split(x, [1, 64], 1), ...tf.unstack(tensor([3, 5, 8], 2), 2)];
    });
  });
});

describe('blas gathers, concats and pads (row copies)', () => {
  it('gathers rows (an embedding lookup), along a middle axis, and with batch dims', async () => {
    await expectAgreement({ kernels: ['GatherV2'] }, () => {
      const table = tensor([50, 24], 1);
      const ids = tf.tensor2d(
        [
          [3, 0, 49, 3],
          [7, 7, 1, 0],
        ],
        [2, 4],
        'int32',
      );
      return [
        tf.gather(table, ids),
        tf.gather(tensor([3, 10, 5], 2), tf.tensor1d([9, 0, 4], 'int32'), 1),
        tf.gather(
          tensor([2, 6, 3], 3),
          tf.tensor2d(
            [
              [5, 1],
              [0, 0],
            ],
            [2, 2],
            'int32',
          ),
          1,
          1,
        ),
      ];
    });
  });

  it('concatenates along the first, a middle and the last axis (the class token)', async () => {
    await expectAgreement({ kernels: ['Concat'] }, () => {
      const [a, b] = [tensor([4, 1, 16], 1), tensor([4, 64, 16], 2)];
      return [tf.concat([a, b], 1), tf.concat([tensor([2, 3], 3), tensor([5, 3], 4)], 0), tf.concat([tensor([3, 2, 2], 5), tensor([3, 2, 7], 6), tensor([3, 2, 0], 7)], 2)];
    });
  });

  it('pads with a constant (the class token slice gradient) on every side', async () => {
    await expectAgreement({ kernels: ['PadV2'] }, () => [
      tf.pad(tensor([4, 1, 16], 1), [
        [0, 0],
        [0, 64],
        [0, 0],
      ]),
      tf.pad(
        tensor([3, 5, 7], 2),
        [
          [1, 2],
          [0, 3],
          [2, 1],
        ],
        -1.5,
      ),
      tf.pad(tensor([9], 3), [[4, 0]]),
    ]);
  });

  it('rejects an index out of range as tfjs does', async () => {
    await initTfjs({ device: 'blas', log });
    tf.tidy(() => {
      expect(() => tf.gather(tf.zeros([4, 2]), tf.tensor1d([1, 4], 'int32'))).toThrow(/index value 4 is not in \[0, 3\]/);
    });
  });
});
