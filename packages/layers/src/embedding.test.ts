import { initTfjs } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Embedding } from './embedding.js';

describe.each(['wasm', 'cpu'] as const)('Embedding on %s', (device) => {
  beforeAll(async () => {
    await initTfjs({ device, log: () => undefined });
  });

  it('looks rows up and sums the gradient of repeated ids (hand-worked)', () => {
    const table = new Embedding(4, 2, new SeededRandom(0));
    table.weight.assign(
      tf.tensor2d([
        [0, 1],
        [10, 11],
        [20, 21],
        [30, 31],
      ]),
    );
    const ids = tf.tensor2d(
      [
        [3, 1],
        [1, 1],
      ],
      [2, 2],
      'int32',
    );
    const y = table.apply(ids);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(Array.from(y.dataSync())).toEqual([30, 31, 10, 11, 10, 11, 10, 11]);
    // Upstream 1 everywhere: row 1 is used three times, row 3 once, rows 0 and 2 never.
    const { value, grads } = tf.variableGrads(() => tf.sum(table.apply(ids)));
    expect(Array.from(grads[table.weight.name].dataSync())).toEqual([0, 0, 3, 3, 0, 0, 1, 1]);
    tf.dispose([ids, y, value, ...Object.values(grads)]);
    table.dispose();
  });

  it('names its weight as nn.Embedding and draws it with the given std', () => {
    const table = new Embedding(1000, 64, new SeededRandom(1), 0.02);
    expect([...table.stateDict()].map(([name, v]) => [name, v.shape])).toEqual([['weight', [1000, 64]]]);
    const values = Array.from(table.weight.dataSync());
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeCloseTo(0.02, 3); // 64000 samples: the sample std is within 0.5% of 0.02
    table.dispose();
  });
});
