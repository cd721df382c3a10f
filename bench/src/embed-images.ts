import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError, SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { openModel } from 'clipkit';
import sharp from 'sharp';
import type { Benchmark } from './benchmarks.js';
import { itemsPerSecond } from './tower-timing.js';

/**
 * `clipkit embed --images DIR` (decoding and preprocessing on worker threads while the model runs) against the
 * model's own throughput on ready batches, in one run (issue 15: aim >= 0.9x). The command runs as a user runs
 * it, twice (all the images, and the first tenth), so that starting the process and loading the model cancel
 * out: images/s = (N - N/10) / (t_N - t_N/10). The images are 224x224 JPEGs of smooth random colour.
 */

interface Options {
  model: string;
  images: number;
  batch: number;
}

function parseArgs(args: string[]): Options {
  const options: Partial<Options> = { images: 1000, batch: 16 };
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--model' && value && ++i) options.model = value;
    else if (flag === '--images' && Number(value) >= 20 && ++i) options.images = Number(value);
    else if (flag === '--batch' && Number(value) >= 1 && ++i) options.batch = Number(value);
    else throw new ClipkitError(`embed-images: unknown argument "${flag}"; use --model DIR (required), --images N (>= 20), --batch B`);
  }
  if (!options.model) throw new ClipkitError('embed-images: give --model DIR, a model clipkit embed opens (it runs on onnxruntime when it can)');
  return options as Options;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** `count` 224x224 JPEGs (quality 90) of random 8x8 colour fields enlarged bicubically: photo-like smoothness, not noise. */
async function writeJpegs(dir: string, count: number): Promise<void> {
  const rng = new SeededRandom(0);
  for (let i = 0; i < count; i++) {
    const pixels = Buffer.from(Array.from({ length: 8 * 8 * 3 }, () => rng.int(256)));
    await sharp(pixels, { raw: { width: 8, height: 8, channels: 3 } })
      .resize(224, 224, { kernel: 'cubic' })
      .jpeg({ quality: 90 })
      .toFile(join(dir, `${String(i).padStart(5, '0')}.jpg`));
  }
}

/** Seconds `clipkit embed --images dir` takes, as a user runs it (a new process). */
function embedSeconds(cli: string, options: Options, dir: string, out: string): number {
  const start = performance.now();
  execFileSync('node', [cli, 'embed', '--model', options.model, '--images', dir, '--out', out, '--batch-size', String(options.batch)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return (performance.now() - start) / 1000;
}

async function run(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const cli = new URL('../../apps/cli/dist/main.js', import.meta.url).pathname;
  const root = mkdtempSync(join(tmpdir(), 'clipkit-bench-embed-'));
  try {
    const tenth = Math.floor(options.images / 10);
    const [all, few] = [join(root, 'all'), join(root, 'few')];
    mkdirSync(all);
    mkdirSync(few);
    await writeJpegs(all, options.images);
    await writeJpegs(few, tenth);
    console.log(`embed-images: ${options.images} JPEGs 224x224, batch ${options.batch}, ${availableParallelism()} cores; load ${load()} at start`);
    // The model's own throughput: encodeImage on one ready batch, as many times as the images need.
    const loaded = await openModel(options.model, { fastRuntime: true, log: (line) => console.log(line) });
    const size = loaded.model.imageEncoder.imageSize;
    const pixels = tf.tensor4d(new SeededRandom(1).normalArray(options.batch * 3 * size * size), [options.batch, 3, size, size]);
    const model = await itemsPerSecond(() => loaded.model.encodeImage(pixels), options.batch, Math.ceil((options.images - tenth) / options.batch));
    pixels.dispose();
    await loaded.dispose();
    console.log(`model on ready batches: ${model.toFixed(2)} images/s (load ${load()})`);
    embedSeconds(cli, options, few, join(root, 'warm.safetensors')); // the export cache and the page cache warm
    const seconds = [embedSeconds(cli, options, few, join(root, 'few.safetensors')), embedSeconds(cli, options, all, join(root, 'all.safetensors'))];
    if (seconds[1] <= seconds[0]) {
      console.log(
        `clipkit embed --images: ${options.images} images in ${seconds[1].toFixed(1)} s, ${tenth} in ${seconds[0].toFixed(1)} s: too few images to tell apart from starting the process; use more`,
      );
      return;
    }
    const embed = (options.images - tenth) / (seconds[1] - seconds[0]);
    console.log(`clipkit embed --images: ${embed.toFixed(2)} images/s (${options.images} in ${seconds[1].toFixed(1)} s, ${tenth} in ${seconds[0].toFixed(1)} s; load ${load()})`);
    console.log(`ratio embed / model: ${(embed / model).toFixed(2)} (aim >= 0.9)`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const embedImages: Benchmark = {
  name: 'embed-images',
  description: 'clipkit embed --images on 224 px JPEGs against the model on ready batches, same run (--model DIR, --images 1000, --batch 16)',
  run,
};
