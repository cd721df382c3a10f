import { availableParallelism } from 'node:os';
import { initTfjs, tfjsBackendPlugin } from '@clipkit/backend-tfjs';
import { assembleClip, type ClipConfig, type ClipPlugin, IMAGE_ENCODER, parseClipConfig, SeededRandom, TEXT_ENCODER, type TfjsDevice } from '@clipkit/core';
import { resnetPlugin } from '@clipkit/encoders-resnet';
import { vitPlugin } from '@clipkit/encoders-vit';
import { textTransformerPlugin } from '@clipkit/text-transformer';
import * as tf from '@tensorflow/tfjs-core';
import type { Benchmark } from './benchmarks.js';

/**
 * Inference throughput of randomly initialised towers with open_clip's ViT-B-32 and RN50 shapes
 * (src/open_clip/model_configs/ViT-B-32.json, RN50.json), compared with PyTorch on this machine.
 */

/** PyTorch (OpenBLAS, 2 threads) on this machine, batch 16, from the issue. */
const ANCHORS = { 'ViT-B-32 image': 23.6, 'ViT-B-32 text': 28.8, 'RN50 image': 16.4 } as const;
type Measured = keyof typeof ANCHORS;

const TEXT_CFG = { context_length: 77, vocab_size: 49408, width: 512, heads: 8, layers: 12 };
const MODELS = {
  'ViT-B-32': { embed_dim: 512, vision_cfg: { image_size: 224, layers: 12, width: 768, patch_size: 32 }, text_cfg: TEXT_CFG },
  RN50: { embed_dim: 1024, vision_cfg: { image_size: 224, layers: [3, 4, 6, 3], width: 64, patch_size: null }, text_cfg: TEXT_CFG },
};

interface Options {
  device: TfjsDevice;
  batch: number;
  iterations: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { device: 'auto', batch: 16, iterations: 3 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--device' && ['auto', 'blas', 'wasm', 'cpu'].includes(value)) options.device = value as TfjsDevice;
    else if (flag === '--batch' && Number(value) >= 1) options.batch = Number(value);
    else if (flag === '--iterations' && Number(value) >= 1) options.iterations = Number(value);
    else throw new Error(`towers: unknown argument "${flag} ${value}"; use --device auto|blas|wasm|cpu, --batch N, --iterations N`);
  }
  return options;
}

/** Seconds per call of `encode`, after one warm-up call (kernel compilation, weight packing). */
async function secondsPerCall(encode: () => Promise<tf.Tensor2D>, iterations: number): Promise<number> {
  (await encode()).dispose();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const out = await encode();
    await out.data(); // wait for the backend to finish
    out.dispose();
  }
  return (performance.now() - start) / 1000 / iterations;
}

/** Token rows as the tokenizer makes them: start, 10 random ids, end, zero padding. */
function randomIds(rng: SeededRandom, batch: number): tf.Tensor2D {
  const ids = new Int32Array(batch * 77);
  for (let n = 0; n < batch; n++) {
    ids[n * 77] = 49406;
    for (let t = 1; t <= 10; t++) ids[n * 77 + t] = 1 + Math.floor(rng.uniform() * 49000);
    ids[n * 77 + 11] = 49407;
  }
  return tf.tensor2d(ids, [batch, 77], 'int32');
}

async function measureModel(name: keyof typeof MODELS, options: Options, plugins: readonly ClipPlugin[], withText: boolean): Promise<Map<Measured, number>> {
  const config: ClipConfig = parseClipConfig({ model: MODELS[name], backend: { type: 'tfjs', device: options.device } });
  const assembly = assembleClip(config, plugins, { log: () => undefined });
  const out = new Map<Measured, number>();
  const rng = new SeededRandom(0);
  try {
    const image = assembly.resolve(IMAGE_ENCODER);
    const pixels = tf.tensor4d(rng.normalArray(options.batch * 3 * 224 * 224), [options.batch, 3, 224, 224]);
    out.set(`${name} image` as Measured, options.batch / (await secondsPerCall(() => image.encode(pixels), options.iterations)));
    pixels.dispose();
    if (withText) {
      const text = assembly.resolve(TEXT_ENCODER);
      const ids = randomIds(rng, options.batch);
      out.set(`${name} text` as Measured, options.batch / (await secondsPerCall(() => text.encode(ids), options.iterations)));
      ids.dispose();
    }
  } finally {
    await assembly.dispose();
  }
  return out;
}

async function run(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const plugins = [tfjsBackendPlugin, vitPlugin, resnetPlugin, textTransformerPlugin];
  const { description } = await initTfjs({ device: options.device, log: () => undefined });
  console.log(`towers: ${description}; batch ${options.batch}; ${options.iterations} timed calls after 1 warm-up; ${availableParallelism()} cores`);
  // RN50's text tower has ViT-B-32's shape: measured once.
  const results = new Map([...(await measureModel('ViT-B-32', options, plugins, true)), ...(await measureModel('RN50', options, plugins, false))]);
  console.log('tower             items/s  PyTorch  ratio');
  for (const [tower, perSecond] of results) {
    const anchor = ANCHORS[tower];
    console.log(`${tower.padEnd(16)} ${perSecond.toFixed(2).padStart(8)} ${anchor.toFixed(1).padStart(8)}  ${(perSecond / anchor).toFixed(3)}`);
  }
}

export const towers: Benchmark = {
  name: 'towers',
  description: 'images/s and texts/s of random ViT-B-32 and RN50 towers vs PyTorch (--device, --batch 16, --iterations 3)',
  run,
};
