import { AdamW, SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BlasAddon } from '../blas-addon.js';
import { initTfjs } from '../init-tfjs.js';
import { relativeError, requireBlasAddon } from '../testing/blas-test-support.js';
import { FUSED_KERNELS } from './clipkit-kernels.js';

// AdamW on blas (one ClipkitAdamW pass per parameter) against AdamW's portable formulation (ten tfjs ops) on
// the cpu backend, over several steps. Error: max |blas - cpu| / max |cpu| per tensor. The kernel computes
// the same float32 operations in the same order, but the compiler may fuse a multiply and an add into one
// rounding (FMA): measured at most 2.3e-7 on parameters and moments. Each parameter's displacement from
// its start is checked too, so that the update itself is compared and not only the parameter it moves:
// one rounding of the parameter is a larger share of that (measured 1.3e-6). A wrong bias
// correction (t off by one) moves the displacement by 10% or more.
const TOLERANCE = 1e-6;
const DISPLACEMENT_TOLERANCE = 1e-5;
const STEPS = 5;
const OPTIONS = { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.2 };

// A matrix and a convolution kernel (decayed), a bias and a scalar like logit_scale (not decayed); sizes
// that are no multiple of the 8-lane loop, and one past the addon's 16384-value grain (several threads).
const SHAPES: Record<string, number[]> = { matrix: [129, 257], conv: [8, 3, 3, 3], bias: [1001], scale: [] };

let addon: BlasAddon;

beforeAll(() => {
  addon = requireBlasAddon();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Parameters, their displacement from the start and the optimizer's moments after STEPS updates on `device`, by name. */
async function train(device: 'cpu' | 'blas'): Promise<Map<string, Float32Array>> {
  expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device);
  const random = new SeededRandom(7);
  const initial = new Map(Object.entries(SHAPES).map(([name, shape]) => [name, random.normalArray(sizeOf(shape))]));
  const params = new Map([...initial].map(([name, values]) => [name, tf.variable(tf.tensor(values, SHAPES[name]))]));
  const optimizer = new AdamW(params, OPTIONS);
  const before = tf.memory().numTensors;
  for (let step = 1; step <= STEPS; step++) {
    // Gradients of varied scale (the second moment spans decades), some exactly 0 on the first step.
    const grads = new Map(
      Object.entries(SHAPES).map(([name, shape]) => {
        const values = random.normalArray(sizeOf(shape), 10 ** random.uniformArray(1, -3, 1)[0]);
        if (step === 1) values.fill(0, 0, Math.floor(values.length / 3));
        return [name, tf.tensor(values, shape)];
      }),
    );
    optimizer.apply(grads, 0.05 / step);
    tf.dispose([...grads.values()]);
  }
  expect(tf.memory().numTensors, 'tensors left by the updates').toBe(before);
  const out = new Map<string, Float32Array>();
  for (const [name, p] of params) {
    const values = Float32Array.from(p.dataSync() as Float32Array);
    out.set(name, values);
    out.set(
      `displacement.${name}`,
      values.map((value, i) => value - initial.get(name)![i]),
    );
  }
  for (const [name, t] of optimizer.stateTensors()) out.set(name, t.data as Float32Array);
  optimizer.dispose();
  tf.dispose([...params.values()]);
  return out;
}

describe('blas AdamW kernel', () => {
  it(`AdamW takes the same ${STEPS} steps on blas (fused) as on cpu (portable)`, async () => {
    const cpu = await train('cpu');
    const spy = vi.spyOn(addon, 'adamW');
    const blas = await train('blas');
    expect(spy).toHaveBeenCalledTimes(STEPS * Object.keys(SHAPES).length);
    // Checkpoint names unchanged: exp_avg.<name> and exp_avg_sq.<name>, as PyTorch's.
    expect([...blas.keys()].sort()).toEqual([...cpu.keys()].sort());
    expect(blas.has('exp_avg_sq.matrix')).toBe(true);
    for (const [name, expected] of cpu) {
      expect(relativeError(blas.get(name)!, expected), name).toBeLessThanOrEqual(name.startsWith('displacement.') ? DISPLACEMENT_TOLERANCE : TOLERANCE);
    }
  });

  it('rejects moments or a gradient of another size than the parameter', async () => {
    await initTfjs({ device: 'blas', log: () => undefined });
    tf.tidy(() => {
      const [param, grad] = [tf.zeros([4, 3]), tf.zeros([4, 3])];
      const attrs = { beta1: 0.9, beta2: 0.98, eps: 1e-6, decay: 1, stepSize: 0.1, sqrtCorrection2: 0.1 };
      expect(() => tf.engine().runKernel(FUSED_KERNELS.adamW, { param, m: tf.zeros([4, 3]), v: tf.zeros([3, 3]), grad }, attrs)).toThrow(
        /ClipkitAdamW: v has shape \[3,3\], param \[4,3\]/,
      );
    });
  });
});
