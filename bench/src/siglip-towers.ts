import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportTower, OnnxImageEncoder, OnnxTextEncoder, plugins as onnxPlugins, sessionOptions } from '@clipkit/backend-onnxruntime';
import { initTfjs, type TfjsDevice, plugins as tfjsPlugins } from '@clipkit/backend-tfjs';
import {
  assembleClip,
  ClipkitError,
  type ImageEncoder,
  type Module,
  parseClipConfig,
  SeededRandom,
  type TextEncoder,
  TRAINABLE_IMAGE_ENCODER,
  TRAINABLE_TEXT_ENCODER,
} from '@clipkit/core';
import { plugins as sigLipPlugins } from '@clipkit/encoders-siglip';
import * as tf from '@tensorflow/tfjs-core';
import type { Benchmark } from './benchmarks.js';
import { itemsPerSecond } from './tower-timing.js';

/**
 * Inference throughput of randomly initialised SigLIP towers of google/siglip-base-patch16-224's size
 * (SiglipVisionConfig / SiglipTextConfig defaults: ViT-B/16 at 224 px, 196 patches; text 64 tokens, width
 * 768, 12 layers), on tfjs and on onnxruntime through clipkit's ONNX export of the same weights.
 */

interface Options {
  device: TfjsDevice;
  batch: number;
  iterations: number;
  threads: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { device: 'blas', batch: 16, iterations: 3, threads: 2 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--device' && ['auto', 'blas', 'wasm', 'cpu'].includes(value)) options.device = value as TfjsDevice;
    else if (flag === '--batch' && Number(value) >= 1) options.batch = Number(value);
    else if (flag === '--iterations' && Number(value) >= 1) options.iterations = Number(value);
    else if (flag === '--threads' && Number(value) >= 1) options.threads = Number(value);
    else throw new ClipkitError(`siglip-towers: unknown argument "${flag} ${value}"; use --device auto|blas|wasm|cpu, --batch N, --iterations N, --threads N`);
  }
  return options;
}

/** A tfjs tower's weights as host arrays, by its state-dict names (what the exporter reads from a model file). */
function hostWeights(module: Module): Map<string, Float32Array> {
  return new Map([...module.stateDict()].map(([name, variable]) => [name, variable.dataSync() as Float32Array]));
}

/** Rows as SiglipTokenizer makes them: `words` random ids, the end token 1, then 1 as padding to 64. */
function siglipIds(rng: SeededRandom, batch: number, words: number): tf.Tensor2D {
  const ids = new Int32Array(batch * 64).fill(1);
  for (let n = 0; n < batch; n++) for (let t = 0; t < words; t++) ids[n * 64 + t] = 3 + rng.int(32000 - 3);
  return tf.tensor2d(ids, [batch, 64], 'int32');
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function run(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const plugins = [...tfjsPlugins, ...onnxPlugins, ...sigLipPlugins];
  const { description } = await initTfjs({ device: options.device, log: () => undefined });
  console.log(
    `siglip-towers: batch ${options.batch}; ${options.iterations} timed calls after 1 warm-up; ${availableParallelism()} cores; load average ${load()} at start; ${description}`,
  );
  // google/siglip-base-patch16-224: every field at its SiglipVisionConfig / SiglipTextConfig default.
  const config = parseClipConfig({ model: { embedDim: 768, vision: { type: 'siglip' }, text: { type: 'siglip' } }, backend: { type: 'tfjs', device: options.device } }, plugins);
  const assembly = assembleClip(config, plugins, { log: () => undefined });
  const dir = mkdtempSync(join(tmpdir(), 'clipkit-bench-siglip-'));
  const session = sessionOptions({ threads: options.threads, graphOptimization: 'all' });
  const rng = new SeededRandom(0);
  const rows: [string, string, number][] = [];
  try {
    const image = assembly.resolve(TRAINABLE_IMAGE_ENCODER);
    await exportTower(join(dir, 'vision.onnx'), config.model, 'image', plugins, hostWeights(image));
    const images: [string, ImageEncoder][] = [
      [`tfjs ${tf.getBackend()}`, image],
      [`onnxruntime ${options.threads}t`, new OnnxImageEncoder(join(dir, 'vision.onnx'), { imageSize: 224, embedDim: 768, sessionOptions: session })],
    ];
    const pixels = tf.tensor4d(rng.normalArray(options.batch * 3 * 224 * 224), [options.batch, 3, 224, 224]);
    for (const [runtime, encoder] of images) rows.push(['image 224 px', runtime, await itemsPerSecond(() => encoder.encode(pixels), options.batch, options.iterations)]);
    pixels.dispose();
    await images[1][1].dispose();

    const text = assembly.resolve(TRAINABLE_TEXT_ENCODER);
    await exportTower(join(dir, 'text.onnx'), config.model, 'text', plugins, hostWeights(text));
    const texts: [string, TextEncoder][] = [
      [`tfjs ${tf.getBackend()}`, text],
      [`onnxruntime ${options.threads}t`, new OnnxTextEncoder(join(dir, 'text.onnx'), { contextLength: 64, embedDim: 768, sessionOptions: session })],
    ];
    // SigLIP's text tower has no mask and reads the last position: every text costs all 64 tokens.
    const ids = siglipIds(rng, options.batch, 10);
    for (const [runtime, encoder] of texts) rows.push(['text 64 tokens', runtime, await itemsPerSecond(() => encoder.encode(ids), options.batch, options.iterations)]);
    ids.dispose();
    await texts[1][1].dispose();
  } finally {
    await assembly.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average ${load()} at end (1, 5, 15 min; more than ${availableParallelism()} means other processes shared the cores)`);
  console.log('tower            runtime           items/s');
  for (const [tower, runtime, perSecond] of rows) console.log(`${tower.padEnd(16)} ${runtime.padEnd(16)} ${perSecond.toFixed(2).padStart(8)}`);
}

export const siglipTowers: Benchmark = {
  name: 'siglip-towers',
  description: 'images/s and texts/s of random SigLIP base towers (224 px, 64 tokens) on tfjs and onnxruntime (--device, --batch 16, --iterations 3, --threads 2)',
  run,
};
