import { initTfjs, type TfjsDevice } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import { sigLipSigmoidLoss } from '@clipkit/losses';
import * as tf from '@tensorflow/tfjs-core';
import type { Benchmark } from './benchmarks.js';

interface Options {
  device: TfjsDevice;
  batch: number;
  dim: number;
  chunkSizes: number[];
}

function parseArgs(args: string[]): Options {
  const options: Options = { device: 'wasm', batch: 4096, dim: 512, chunkSizes: [256, 512] };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--device' && (value === 'wasm' || value === 'cpu')) options.device = value;
    else if (flag === '--batch') options.batch = Number(value);
    else if (flag === '--dim') options.dim = Number(value);
    else if (flag === '--chunks') options.chunkSizes = value.split(',').map(Number);
    else throw new Error(`siglip-memory: unknown argument "${flag} ${value}"; use --device wasm|cpu, --batch N, --dim N, --chunks N,N`);
  }
  return options;
}

/** L2-normalised random features [batch, dim]. */
function unitRows(rng: SeededRandom, batch: number, dim: number): tf.Tensor2D {
  return tf.tidy(() => {
    const x = tf.tensor2d(rng.normalArray(batch * dim), [batch, dim]);
    return tf.div(x, tf.norm(x, 2, 1, true)) as tf.Tensor2D;
  });
}

interface Measurement {
  chunkSize: number | null;
  /** Peak tensor bytes during loss + gradients, above what was allocated before (the features and scalars). */
  peakBytes: number;
  loss: number;
  seconds: number;
}

/** Peak tensor memory (tf.profile's high-water mark, sampled after every kernel) of the loss and its four gradients. */
async function measure(image: tf.Tensor2D, text: tf.Tensor2D, chunkSize: number | null): Promise<Measurement> {
  const [scale, bias] = [tf.scalar(10), tf.scalar(-10)];
  const bytesBefore = tf.memory().numBytes;
  let loss = Number.NaN;
  const start = performance.now();
  const profile = await tf.profile(() => {
    const gradients = tf.valueAndGrads((i: tf.Tensor, t: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => sigLipSigmoidLoss(i as tf.Tensor2D, t as tf.Tensor2D, s, b, { chunkSize }));
    const { value, grads } = gradients([image, text, scale, bias]);
    loss = value.dataSync()[0];
    tf.dispose([value, ...grads]);
  });
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([scale, bias]);
  return { chunkSize, peakBytes: profile.peakBytes - bytesBefore, loss, seconds };
}

async function runOn(options: Options): Promise<Measurement[]> {
  const rng = new SeededRandom(0);
  const image = unitRows(rng, options.batch, options.dim);
  const text = unitRows(rng, options.batch, options.dim);
  try {
    const results: Measurement[] = [];
    // Chunked first: the wasm heap never shrinks, so the run most likely to exhaust it goes last.
    for (const chunkSize of [...options.chunkSizes, null]) results.push(await measure(image, text, chunkSize));
    return results;
  } finally {
    tf.dispose([image, text]);
  }
}

const MB = 1024 * 1024;

export const siglipMemory: Benchmark = {
  name: 'siglip-memory',
  description: 'peak tensor memory of SigLIP loss + gradients, unchunked vs chunked (default batch 4096, dim 512, wasm)',
  async run(args) {
    const options = parseArgs(args);
    const selection = await initTfjs({ device: options.device, log: () => undefined });
    let results: Measurement[];
    let backend = selection.description;
    try {
      results = await runOn(options);
    } catch (error) {
      if (options.device !== 'wasm') throw error;
      console.log(`wasm could not run the comparison (${(error as Error).message}); measuring on the cpu backend instead.`);
      backend = (await initTfjs({ device: 'cpu', log: () => undefined })).description;
      results = await runOn(options);
    }
    console.log(`siglip-memory: batch ${options.batch}, dim ${options.dim}, ${backend}`);
    const whole = results.find((r) => r.chunkSize === null)!;
    console.log(`  one B x B float32 matrix: ${((options.batch * options.batch * 4) / MB).toFixed(1)} MB`);
    for (const r of results) {
      const label = r.chunkSize === null ? 'unchunked' : `chunk ${r.chunkSize}`;
      const ratio = r.chunkSize === null ? '' : `, ${(r.peakBytes / whole.peakBytes).toFixed(3)} of unchunked`;
      console.log(`  ${label.padEnd(11)} peak ${(r.peakBytes / MB).toFixed(1).padStart(7)} MB${ratio}; loss ${r.loss.toFixed(6)}; ${r.seconds.toFixed(1)} s`);
    }
  },
};
