import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import { clipGradNorm } from './clip-grad-norm.js';
import { learningRate } from './learning-rate.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('learningRate (open_clip cosine_lr, the Fashion-MNIST recipe: lr 5e-4, warmup 100, 234 steps)', () => {
  const train = { lr: 5e-4, warmupSteps: 100, schedule: 'cosine' as const };
  it.each([
    [0, 5e-6],
    [99, 5e-4],
    [100, 5e-4],
    [167, 0.5 * (1 + Math.cos((Math.PI * 67) / 134)) * 5e-4],
  ])('is %d -> %f', (step, expected) => {
    expect(learningRate(step, 234, train)).toBeCloseTo(expected, 12);
  });

  it('ends near zero (about 7e-8 at step 233)', () => {
    expect(learningRate(233, 234, train)).toBeGreaterThan(6e-8);
    expect(learningRate(233, 234, train)).toBeLessThan(8e-8);
  });

  it('holds the peak after warmup when constant', () => {
    expect(learningRate(150, 234, { ...train, schedule: 'constant' })).toBe(5e-4);
  });
});

describe('AdamW', () => {
  const options = { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.2 };

  it('matches a hand-worked torch.optim.AdamW step, decaying only matrices', () => {
    const matrix = tf.variable(tf.tensor2d([[1, -2]]));
    const bias = tf.variable(tf.tensor1d([0.5]));
    const optimizer = new AdamW(
      new Map<string, tf.Variable>([
        ['w', matrix],
        ['b', bias],
      ]),
      options,
    );
    const lr = 0.1;
    optimizer.apply(
      new Map<string, tf.Tensor>([
        ['w', tf.tensor2d([[0.5, 0.5]])],
        ['b', tf.tensor1d([-1])],
      ]),
      lr,
    );
    // Step 1: m = 0.1 g, v = 0.02 g^2; m / (1 - 0.9) = g; sqrt(v / (1 - 0.98)) = |g|: the update is lr * g / (|g| + eps).
    const step = (g: number) => (lr * g) / (Math.abs(g) + 1e-6);
    const w = Array.from(matrix.dataSync());
    expect(w[0]).toBeCloseTo(1 * (1 - lr * 0.2) - step(0.5), 6);
    expect(w[1]).toBeCloseTo(-2 * (1 - lr * 0.2) - step(0.5), 6);
    expect(bias.dataSync()[0]).toBeCloseTo(0.5 - step(-1), 6); // no decay on a 1-D parameter
    expect(optimizer.step).toBe(1);
    optimizer.dispose();
    tf.dispose([matrix, bias]);
  });

  it('releases every tensor it made when disposed', () => {
    const p = tf.variable(tf.ones([3, 2]));
    const before = tf.memory().numTensors;
    const optimizer = new AdamW(new Map([['p', p]]), options);
    const grad = tf.onesLike(p);
    optimizer.apply(new Map([['p', grad]]), 0.1);
    grad.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('saves and restores its moments and step', () => {
    const p = tf.variable(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    );
    const optimizer = new AdamW(new Map([['p', p]]), options);
    optimizer.apply(new Map([['p', tf.ones([2, 2])]]), 0.01);
    const saved = new Map([...optimizer.stateTensors()].map(([name, t]) => [name, t.data as Float32Array]));
    expect([...saved.keys()]).toEqual(['exp_avg.p', 'exp_avg_sq.p']);
    const other = new AdamW(new Map([['p', p]]), options);
    other.loadState(saved, optimizer.step);
    expect(Array.from(other.stateTensors().get('exp_avg.p')!.data as Float32Array)).toEqual(Array.from(saved.get('exp_avg.p')!));
    expect(other.step).toBe(1);
    expect(() => other.loadState(new Map(), 1)).toThrow(/no exp_avg of size 4 for "p"/);
    optimizer.dispose();
    other.dispose();
    p.dispose();
  });
});

describe('clipGradNorm', () => {
  it('scales gradients to the maximum global norm and reports the norm before', () => {
    const grads = new Map([
      ['a', tf.tensor1d([3, 0])],
      ['b', tf.tensor1d([4])],
    ]); // global norm 5
    const before = tf.memory().numTensors;
    expect(clipGradNorm(grads, 1)).toBeCloseTo(5, 6);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(grads.get('a')!.dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(grads.get('b')!.dataSync()[0]).toBeCloseTo(0.8, 5);
    const small = new Map([['a', tf.tensor1d([0.1])]]);
    const kept = small.get('a');
    clipGradNorm(small, 1);
    expect(small.get('a')).toBe(kept); // under the limit: untouched
    tf.dispose([...grads.values(), ...small.values()]);
  });
});
