import '@tensorflow/tfjs'; // the cpu backend and tfjs's gradients
import { readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContrastiveLoss } from '../components/contrastive-loss.js';
import type { TrainableImageEncoder, TrainableTextEncoder } from '../components/encoders.js';
import { LogitParameters } from '../model/logit-parameters.js';
import { SeededRandom } from '../random/seeded-random.js';
import { toFloat32 } from '../safetensors/dtypes.js';
import { readSafetensors } from '../safetensors/safetensors-file.js';
import { FakeSigmoidLoss, FakeSoftmaxLoss } from '../testing/fake-plugins.test-support.js';
import type { ClipTrainables } from './clip-trainables.js';
import { contrastiveGradients } from './contrastive-gradients.js';

const LOSSES = `${process.env.CLIPKIT_SHARED}/fixtures/losses`;
const SAME_MATHS = 1e-5; // the same float32 maths summed in another order

/** The fixtures' bound (fixtures/losses/README.md): |a - ref| <= 1e-5 + 1e-4 |ref|, elementwise. Returns the worst excess (<= 0 passes). */
function excess(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = -Infinity;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) - (1e-5 + 1e-4 * Math.abs(expected[i])));
  return worst;
}

/** A tower whose features are a variable: row i of the input names the row of `features` it outputs. */
class TableTower implements TrainableImageEncoder, TrainableTextEncoder {
  readonly imageSize = 1;
  readonly contextLength = 1;
  readonly embedDim: number;
  readonly features: tf.Variable;
  constructor(
    rows: Float32Array,
    shape: [number, number],
    private readonly name: string,
  ) {
    this.embedDim = shape[1];
    const initial = tf.tensor2d(rows, shape);
    this.features = tf.variable(initial);
    initial.dispose();
  }
  forward(rows: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.gather(this.features, tf.cast(tf.reshape(rows, [-1]), 'int32')) as tf.Tensor2D);
  }
  encode = async (rows: tf.Tensor4D | tf.Tensor2D) => this.forward(rows);
  stateDict = () => new Map([[this.name, this.features]]);
  dispose = () => this.features.dispose();
}

/** Image tower: flattened pixels times a matrix. */
class LinearImageTower implements TrainableImageEncoder {
  readonly imageSize = 2;
  readonly embedDim = 4;
  readonly w: tf.Variable;
  constructor(rng: SeededRandom) {
    this.w = tf.variable(tf.tensor2d(rng.normalArray(12 * 4), [12, 4]));
  }
  forward(pixels: tf.Tensor4D): tf.Tensor2D {
    return tf.matMul(tf.reshape(pixels, [pixels.shape[0], 12]), this.w);
  }
  encode = async (pixels: tf.Tensor4D) => tf.tidy(() => this.forward(pixels));
  stateDict = () => new Map([['proj', this.w]]);
  dispose = () => this.w.dispose();
}

/** Text tower: the embedding of the first token. */
class FirstTokenTextTower implements TrainableTextEncoder {
  readonly contextLength = 3;
  readonly embedDim = 4;
  readonly table: tf.Variable;
  constructor(rng: SeededRandom) {
    this.table = tf.variable(tf.tensor2d(rng.normalArray(10 * 4), [10, 4]));
  }
  forward(ids: tf.Tensor2D): tf.Tensor2D {
    return tf.gather(this.table, tf.squeeze(tf.slice(ids, [0, 0], [-1, 1]), [1])) as tf.Tensor2D;
  }
  encode = async (ids: tf.Tensor2D) => tf.tidy(() => this.forward(ids));
  stateDict = () => new Map([['token_embedding.weight', this.table]]);
  dispose = () => this.table.dispose();
}

/** open_clip ClipLoss / SigLipLoss cases: features, scalars, losses and autograd gradients by name. */
async function loadLossCases() {
  const files = readdirSync(LOSSES).filter((f) => f.endsWith('.safetensors'));
  if (files.length === 0) throw new Error(`no loss fixtures in ${LOSSES}`);
  return Promise.all(
    files.map(async (file) => {
      const tensors = new Map([...(await readSafetensors(`${LOSSES}/${file}`))].map(([name, t]) => [name, { shape: t.shape, data: toFloat32(t) }]));
      return { name: file.replace('.safetensors', ''), get: (name: string) => tensors.get(name)! };
    }),
  );
}

const CASES = await loadLossCases();

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('contrastiveGradients', () => {
  it('gives the whole-batch gradient whatever the number of micro-batches (open_clip accum_freq), without leaks', () => {
    const rng = new SeededRandom(5);
    const parts: ClipTrainables = { image: new LinearImageTower(rng), text: new FirstTokenTextTower(rng), logits: new LogitParameters(Math.log(10), -2) };
    const pixels = tf.tensor4d(rng.normalArray(8 * 12), [8, 3, 2, 2]);
    const ids = tf.tensor2d(
      Int32Array.from({ length: 24 }, (_, i) => (i * 7) % 10),
      [8, 3],
      'int32',
    );
    for (const loss of [new FakeSoftmaxLoss(), new FakeSigmoidLoss()]) {
      const reference = contrastiveGradients(parts, loss, pixels, ids, 1);
      // The softmax loss ignores the bias, so the bias gets no gradient from it.
      expect([...reference.grads.keys()]).toEqual(['visual.proj', 'token_embedding.weight', 'logit_scale', ...(loss.needsBias ? ['logit_bias'] : [])]);
      for (const microBatches of [2, 4, 8]) {
        const before = tf.memory().numTensors;
        const sliced = contrastiveGradients(parts, loss, pixels, ids, microBatches);
        expect(Math.abs(sliced.loss - reference.loss), `${loss.type} loss with ${microBatches} micro-batches`).toBeLessThan(SAME_MATHS);
        expect([...sliced.grads.keys()]).toEqual([...reference.grads.keys()]);
        for (const [name, g] of reference.grads) {
          expect(maxDifference(g, sliced.grads.get(name)!), `${loss.type} ${name} with ${microBatches} micro-batches`).toBeLessThan(SAME_MATHS);
        }
        tf.dispose([...sliced.grads.values()]);
        expect(tf.memory().numTensors).toBe(before);
      }
      tf.dispose([...reference.grads.values()]);
    }
    tf.dispose([pixels, ids]);
    for (const part of Object.values(parts)) part.dispose();
  });

  it('differentiates only trainable parameters: a locked tower gets no gradient and the others the same as unlocked, per micro-batch too', () => {
    const rng = new SeededRandom(6);
    const parts: ClipTrainables = { image: new LinearImageTower(rng), text: new FirstTokenTextTower(rng), logits: new LogitParameters(Math.log(10), null) };
    const pixels = tf.tensor4d(rng.normalArray(8 * 12), [8, 3, 2, 2]);
    const ids = tf.tensor2d(
      Int32Array.from({ length: 24 }, (_, i) => (i * 3) % 10),
      [8, 3],
      'int32',
    );
    const loss = new FakeSoftmaxLoss();
    const unlocked = contrastiveGradients(parts, loss, pixels, ids, 1);
    for (const [tower, name] of [
      [parts.image, 'visual.proj'],
      [parts.text, 'token_embedding.weight'],
    ] as const) {
      const variable = [...tower.stateDict().values()][0];
      variable.trainable = false;
      for (const microBatches of [1, 2, 4]) {
        const before = tf.memory().numTensors;
        const locked = contrastiveGradients(parts, loss, pixels, ids, microBatches);
        expect(locked.grads.has(name), `${name} locked`).toBe(false);
        expect(Math.abs(locked.loss - unlocked.loss)).toBeLessThan(SAME_MATHS);
        for (const [other, g] of locked.grads)
          expect(maxDifference(g, unlocked.grads.get(other)!), `${other} with ${name} locked, ${microBatches} micro-batches`).toBeLessThan(SAME_MATHS);
        tf.dispose([...locked.grads.values()]);
        expect(tf.memory().numTensors).toBe(before);
      }
      variable.trainable = true;
    }
    tf.dispose([...unlocked.grads.values(), pixels, ids]);
    for (const part of Object.values(parts)) part.dispose();
  });

  describe("matches open_clip's autograd on the loss fixtures, the model's logit scale and bias included", () => {
    const losses: [string, ContrastiveLoss][] = [
      ['clip', new FakeSoftmaxLoss()],
      ['siglip', new FakeSigmoidLoss()],
    ];
    it.each(CASES.flatMap((c) => losses.map(([prefix, loss]) => [`${prefix} ${c.name}`, c, prefix, loss] as const)))('%s', (_, c, prefix, loss) => {
      const [batch, dim] = c.get('image_features').shape as [number, number];
      const scale = c.get('logit_scale').data[0];
      const parts: ClipTrainables = {
        image: new TableTower(c.get('image_features').data, [batch, dim], 'features'),
        text: new TableTower(c.get('text_features').data, [batch, dim], 'text_features'),
        logits: new LogitParameters(Math.log(scale), prefix === 'siglip' ? c.get('logit_bias').data[0] : null),
      };
      const rows = Float32Array.from({ length: batch }, (_, i) => i);
      const pixels = tf.tensor4d(rows, [batch, 1, 1, 1]);
      const ids = tf.tensor2d(rows, [batch, 1], 'int32');
      const before = tf.memory().numTensors;
      // Slices of the batch where it divides: the fixtures' batches are 1, 2, 8 and 33.
      for (const microBatches of [1, 2, 3].filter((m) => batch % m === 0)) {
        const { loss: value, grads } = contrastiveGradients(parts, loss, pixels, ids, microBatches);
        expect(excess([value], c.get(`${prefix}_loss`).data), 'loss').toBeLessThanOrEqual(0);
        // t = ln s, so dL/dt = dL/ds x s.
        expect(excess(grads.get('logit_scale')!.dataSync(), [c.get(`${prefix}_grad_logit_scale`).data[0] * scale]), 'dL/dt').toBeLessThanOrEqual(0);
        if (prefix === 'siglip') expect(excess(grads.get('logit_bias')!.dataSync(), c.get('siglip_grad_logit_bias').data), 'dL/db').toBeLessThanOrEqual(0);
        // The towers' features are L2-normalised before the loss: at a unit row x, d/dx = (I - x x^T) times the reference gradient.
        for (const [side, name] of [
          ['image', 'visual.features'],
          ['text', 'text_features'],
        ] as const) {
          const x = c.get(`${side}_features`).data;
          const g = c.get(`${prefix}_grad_${side}_features`).data;
          const expected = new Float32Array(x.length);
          for (let r = 0; r < batch; r++) {
            let dot = 0;
            for (let d = 0; d < dim; d++) dot += x[r * dim + d] * g[r * dim + d];
            for (let d = 0; d < dim; d++) expected[r * dim + d] = g[r * dim + d] - x[r * dim + d] * dot;
          }
          expect(excess(grads.get(name)!.dataSync(), expected), `d${prefix}/d${side} features, ${microBatches} micro-batches`).toBeLessThanOrEqual(0);
        }
        tf.dispose([...grads.values()]);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([pixels, ids]);
      for (const part of Object.values(parts)) part.dispose();
    });
  });
});
