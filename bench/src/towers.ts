import { availableParallelism } from 'node:os';
import { initTfjs, type TfjsDevice } from '@clipkit/backend-tfjs';
import { type AnyClipPlugin, assembleClip, type ClipConfig, IMAGE_ENCODER, parseClipConfig, SeededRandom, TEXT_ENCODER } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { defaultPlugins } from 'clipkit';
import type { Benchmark } from './benchmarks.js';
import { OPEN_CLIP_SHAPES } from './open-clip-shapes.js';
import { type AnchoredTower, pytorchInference } from './pytorch-anchor.js';
import { itemsPerSecond, randomIds } from './tower-timing.js';

/**
 * Inference throughput of randomly initialised towers with open_clip's ViT-B-32 and RN50 shapes
 * (src/open_clip/model_configs/ViT-B-32.json, RN50.json), compared with PyTorch (../shared/anchors) measured right after, at the same batch and thread count.
 * PyTorch's text tower computes all 77 positions; clipkit's stops at the longest caption (12 tokens here).
 */

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

async function measureModel(name: keyof typeof OPEN_CLIP_SHAPES, options: Options, plugins: readonly AnyClipPlugin[], withText: boolean): Promise<Map<AnchoredTower, number>> {
  const config: ClipConfig = parseClipConfig({ model: OPEN_CLIP_SHAPES[name], backend: { type: 'tfjs', device: options.device } }, plugins);
  const assembly = assembleClip(config, plugins, { log: () => undefined });
  const out = new Map<AnchoredTower, number>();
  const rng = new SeededRandom(0);
  try {
    const image = assembly.resolve(IMAGE_ENCODER);
    const pixels = tf.tensor4d(rng.normalArray(options.batch * 3 * 224 * 224), [options.batch, 3, 224, 224]);
    out.set(`${name} image` as AnchoredTower, await itemsPerSecond(() => image.encode(pixels), options.batch, options.iterations));
    pixels.dispose();
    if (withText) {
      const text = assembly.resolve(TEXT_ENCODER);
      const ids = randomIds(rng, options.batch, 10);
      out.set(`${name} text` as AnchoredTower, await itemsPerSecond(() => text.encode(ids), options.batch, options.iterations));
      ids.dispose();
    }
  } finally {
    await assembly.dispose();
  }
  return out;
}

async function run(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const plugins = await defaultPlugins();
  const { description } = await initTfjs({ device: options.device, log: () => undefined });
  console.log(`towers: ${description}; batch ${options.batch}; ${options.iterations} timed calls after 1 warm-up; ${availableParallelism()} cores`);
  // RN50's text tower has ViT-B-32's shape: measured once.
  const results = new Map([...(await measureModel('ViT-B-32', options, plugins, true)), ...(await measureModel('RN50', options, plugins, false))]);
  console.log('tower             items/s  PyTorch  ratio');
  for (const [tower, perSecond] of results) {
    const pytorch = pytorchInference(tower, options.batch, availableParallelism(), options.iterations);
    if (typeof pytorch === 'string') console.log(`${tower.padEnd(16)} ${perSecond.toFixed(2).padStart(8)}  PyTorch not measured: ${pytorch}`);
    else console.log(`${tower.padEnd(16)} ${perSecond.toFixed(2).padStart(8)} ${pytorch.toFixed(1).padStart(8)}  ${(perSecond / pytorch).toFixed(3)}`);
  }
}

export const towers: Benchmark = {
  name: 'towers',
  description: 'images/s and texts/s of random ViT-B-32 and RN50 towers vs PyTorch (--device, --batch 16, --iterations 3)',
  run,
};
