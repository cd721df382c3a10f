import type { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';

/** Items per second of `encode` on a batch, after one warm-up call (weight packing, kernel selection). */
export async function itemsPerSecond(encode: () => Promise<tf.Tensor2D>, batch: number, iterations: number): Promise<number> {
  (await encode()).dispose();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const out = await encode();
    await out.data(); // wait for the backend to finish
    out.dispose();
  }
  return (batch * iterations) / ((performance.now() - start) / 1000);
}

/** Token rows as the tokenizer makes them: start, `words` random ids, end, zero padding (start and end are the vocabulary's last two ids). */
export function randomIds(rng: SeededRandom, batch: number, words: number, vocabSize = 49408): tf.Tensor2D {
  const ids = new Int32Array(batch * 77);
  for (let n = 0; n < batch; n++) {
    ids[n * 77] = vocabSize - 2;
    for (let t = 1; t <= words; t++) ids[n * 77 + t] = 1 + rng.int(vocabSize - 3);
    ids[n * 77 + words + 1] = vocabSize - 1;
  }
  return tf.tensor2d(ids, [batch, 77], 'int32');
}

/**
 * Items per second of several encoders of the same batch, timed in turns (one call each per round, after one
 * warm-up call each) and reduced to the median call: load that comes and goes during the run then weighs on
 * all of them alike, where timing one after the other favours whichever ran in the quieter moment.
 */
export async function interleavedItemsPerSecond(encoders: readonly (() => Promise<tf.Tensor2D>)[], batch: number, rounds: number): Promise<number[]> {
  const seconds: number[][] = encoders.map(() => []);
  for (const encode of encoders) (await encode()).dispose();
  for (let round = 0; round < rounds; round++) {
    for (const [i, encode] of encoders.entries()) {
      const start = performance.now();
      const out = await encode();
      await out.data();
      seconds[i].push((performance.now() - start) / 1000);
      out.dispose();
    }
  }
  return seconds.map((calls) => batch / calls.sort((a, b) => a - b)[calls.length >> 1]);
}
