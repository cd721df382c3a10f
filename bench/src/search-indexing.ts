import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@clipkit/core';
import { indexImages, type SearchEmbedder } from '@clipkit/search';
import type { Benchmark } from './benchmarks.js';
import { writeRandomJpegs } from './search-images.js';
import { directorySearchEmbedder, isSearchModelName, randomSearchEmbedder } from './search-model.js';

/**
 * Indexing throughput (files/s of indexImages: scan, read, hash, decode, preprocess, embed, write) against the
 * model's own batch throughput (embedPixels on ready pixel batches), on generated 224-px JPEGs or a given
 * folder, then the time of a second run with nothing changed.
 */

interface Options {
  /** A random model's shape (vit-b-32, tiny) or a model directory. */
  model: string;
  /** Index this folder instead of generated JPEGs. */
  folder: string | undefined;
  images: number;
  batch: number;
  workers: number | undefined;
  /** Batches timed for the model's own throughput. */
  modelBatches: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { model: 'vit-b-32', folder: undefined, images: 1000, batch: 32, workers: undefined, modelBatches: 8 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--model' && (isSearchModelName(value) || existsSync(value))) options.model = value;
    else if (flag === '--folder' && existsSync(value)) options.folder = value;
    else if (flag === '--images' && Number(value) >= 1) options.images = Number(value);
    else if (flag === '--batch' && Number(value) >= 1) options.batch = Number(value);
    else if (flag === '--workers' && Number(value) >= 1) options.workers = Number(value);
    else if (flag === '--model-batches' && Number(value) >= 1) options.modelBatches = Number(value);
    else
      throw new Error(
        `search-indexing: unknown argument "${flag} ${value}"; use --model vit-b-32|tiny|DIR, --folder DIR, --images 1000, --batch 32, --workers N, --model-batches 8`,
      );
  }
  return options;
}

/** Images/s of embedPixels on ready batches, after one warm-up call. */
async function modelThroughput(embedder: SearchEmbedder, batch: number, batches: number): Promise<number> {
  const { height, width } = embedder.preprocess.cropSize;
  const pixels = new SeededRandom(1).normalArray(batch * 3 * height * width); // [batch, 3, H, W]
  await embedder.embedPixels(pixels, [batch, 3, height, width]);
  const started = performance.now();
  for (let i = 0; i < batches; i++) await embedder.embedPixels(pixels, [batch, 3, height, width]);
  return (batch * batches) / ((performance.now() - started) / 1000);
}

/** The embedder, timing the calls it serves. */
function timed(embedder: SearchEmbedder): { embedder: SearchEmbedder; busyMs: () => number } {
  let busy = 0;
  return {
    embedder: {
      ...embedder,
      preprocess: embedder.preprocess,
      embedTexts: (texts) => embedder.embedTexts(texts),
      async embedPixels(pixels, shape) {
        const started = performance.now();
        try {
          return await embedder.embedPixels(pixels, shape);
        } finally {
          busy += performance.now() - started;
        }
      },
    },
    busyMs: () => busy,
  };
}

async function run(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const dir = await mkdtemp(join(tmpdir(), 'clipkit-search-indexing-'));
  const { embedder, backend, dispose } = isSearchModelName(options.model) ? await randomSearchEmbedder(options.model) : await directorySearchEmbedder(options.model);
  try {
    const model = isSearchModelName(options.model) ? `random ${options.model}` : options.model;
    let root = options.folder;
    let started = performance.now();
    if (root === undefined) {
      root = join(dir, 'images');
      await writeRandomJpegs(root, options.images);
      console.log(`wrote ${options.images} JPEGs of 224 x 224 in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    console.log(`search-indexing: ${model}, ${backend}, batch ${options.batch}, ${root}; ${availableParallelism()} cores, load ${loadavg()[0].toFixed(1)}`);

    const modelRate = await modelThroughput(embedder, options.batch, options.modelBatches);
    console.log(`model alone    ${modelRate.toFixed(2)} images/s (${options.modelBatches} batches)`);

    const watched = timed(embedder);
    const indexOptions = { root, dbPath: join(dir, 'db'), embedder: watched.embedder, batchSize: options.batch, workers: options.workers, progressBar: false };
    started = performance.now();
    const report = await indexImages(indexOptions);
    const seconds = (performance.now() - started) / 1000;
    const rate = report.added / seconds;
    console.log(
      `indexing       ${rate.toFixed(2)} images/s (${report.added} files in ${seconds.toFixed(1)} s, model busy ${((100 * watched.busyMs()) / 1000 / seconds).toFixed(1)}% of it)`,
    );
    console.log(`ratio          ${(rate / modelRate).toFixed(3)} x the model's own throughput`);
    if (report.skipped.length > 0) console.log(`skipped ${report.skipped.length}: ${report.skipped[0].reason}`);

    started = performance.now();
    const again = await indexImages(indexOptions);
    const rerun = (performance.now() - started) / 1000;
    console.log(
      `re-run         ${rerun.toFixed(2)} s with nothing changed (${again.unchanged} unchanged, ${again.added} embedded): ${((100 * rerun) / seconds).toFixed(2)}% of the first run`,
    );
    console.log(`load average   ${loadavg()[0].toFixed(1)} at the end`);
  } finally {
    await dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

export const searchIndexing: Benchmark = {
  name: 'search-indexing',
  description:
    "indexImages images/s vs the model's own batch throughput, then a re-run with nothing changed (--model vit-b-32|tiny|DIR, --folder DIR or --images 1000 generated 224-px JPEGs, --batch 32, --workers)",
  run,
};
