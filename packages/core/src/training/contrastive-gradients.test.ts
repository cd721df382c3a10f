import '@tensorflow/tfjs'; // registers tfjs's gradients
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContrastiveLoss } from '../components/contrastive-loss.js';
import type { TrainableImageEncoder, TrainableTextEncoder } from '../components/encoders.js';
import { SeededRandom } from '../random/seeded-random.js';
import type { ClipTrainables } from './clip-trainables.js';
import { contrastiveGradients } from './contrastive-gradients.js';

const TOLERANCE = 1e-5; // the same float32 maths summed in another order

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

/** CLIP's symmetric cross-entropy with a learnable log scale (written out here; the real one lives in @clipkit/losses). */
class SoftmaxLoss implements ContrastiveLoss {
  readonly type = 'clip';
  readonly t = tf.variable(tf.scalar(Math.log(10)));
  compute(image: tf.Tensor2D, text: tf.Tensor2D): tf.Scalar {
    const logits = tf.mul(tf.matMul(image, tf.transpose(text)), tf.exp(this.t));
    const labels = tf.oneHot(tf.range(0, image.shape[0], 1, 'int32'), image.shape[0]);
    return tf.div(tf.add(tf.losses.softmaxCrossEntropy(labels, logits), tf.losses.softmaxCrossEntropy(labels, tf.transpose(logits))), 2) as tf.Scalar;
  }
  afterStep(): void {}
  logitScale = () => Math.exp(this.t.dataSync()[0]);
  logitBias = () => null;
  stateDict = () => new Map([['logit_scale', this.t]]);
  dispose = () => this.t.dispose();
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('contrastiveGradients', () => {
  it('gives the whole-batch gradient whatever the number of micro-batches (open_clip accum_freq), without leaks', () => {
    const rng = new SeededRandom(5);
    const parts: ClipTrainables = { image: new LinearImageTower(rng), text: new FirstTokenTextTower(rng), loss: new SoftmaxLoss() };
    const pixels = tf.tensor4d(rng.normalArray(8 * 12), [8, 3, 2, 2]);
    const ids = tf.tensor2d(
      Int32Array.from({ length: 24 }, (_, i) => (i * 7) % 10),
      [8, 3],
      'int32',
    );
    const reference = contrastiveGradients(parts, pixels, ids, 1);
    expect([...reference.grads.keys()]).toEqual(['visual.proj', 'token_embedding.weight', 'logit_scale']);
    for (const microBatches of [2, 4, 8]) {
      const before = tf.memory().numTensors;
      const sliced = contrastiveGradients(parts, pixels, ids, microBatches);
      expect(sliced.loss).toBeCloseTo(reference.loss, 5);
      for (const [name, g] of reference.grads) {
        const worst = tf.tidy(() => tf.max(tf.abs(tf.sub(g, sliced.grads.get(name)!))).dataSync()[0]);
        expect(worst, `${name} with ${microBatches} micro-batches`).toBeLessThan(TOLERANCE);
      }
      tf.dispose([...sliced.grads.values()]);
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([...reference.grads.values(), pixels, ids]);
  });
});
