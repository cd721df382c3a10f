import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@clipkit/core';
import { indexImages, type SearchEmbedder } from '@clipkit/search';
import type { Benchmark } from './benchmarks.js';
import { writeRandomJpegs } from './search-images.js';
import { isSearchModelName, randomSearchEmbedder, type SearchModelName } from './search-model.js';

/**
 * Indexing throughput (files/s of indexImages: scan, read, hash, decode, preprocess, embed, write) against the
 * model's own batch throughput (embedPixels on ready pixel batches), on generated 224-px JPEGs.
 */

interface Options {
  model: SearchModelName;
  images: number;
  batch: number;
  workers: number | undefined;
  /** Batches timed for the model's own throughput. */
  modelBatches: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { model: 'vit-b-32', images: 1000, batch: 32, workers: undefined, modelBatches: 8 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--model' && isSearchModelName(value)) options.model = value;
    else if (flag === '--images' && Number(value) >= 1) options.images = Number(value);
    else if (flag === '--batch' && Number(value) >= 1) options.batch = Number(value);
    else if (flag === '--workers' && Number(value) >= 1) options.workers = Number(value);
    else if (flag === '--model-batches' && Number(value) >= 1) options.modelBatches = Number(value);
    else throw new Error(`search-indexing: unknown argument "${flag} ${value}"; use --model vit-b-32|tiny, --images 1000, --batch 32, --workers N, --model-batches 8`);
  }
  return options;
}

/** Images/s of embedPixels on ready batches, after one warm-up call. */
async function modelThroughput(embedder: SearchEmbedder, batch: number, batches: number): Promise<number> {
  const rng = new SeededRandom(1);
  const pixels = rng.normalArray(batch * 3 * 224 * 224); // [batch, 3, 224, 224]
  await embedder.embedPixels(pixels, [batch, 3, 224, 224]);
  const started = performance.now();
  for (let i = 0; i < batches; i++) await embedder.embedPixels(pixels, [batch, 3, 224, 224]);
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
  const { embedder, backend, dispose } = await randomSearchEmbedder(options.model);
  try {
    console.log(`search-indexing: random ${options.model}, ${backend}, batch ${options.batch}, ${options.images} JPEGs of 224 x 224; ${availableParallelism()} cores`);
    let started = performance.now();
    await writeRandomJpegs(join(dir, 'images'), options.images);
    console.log(`wrote the images in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const modelRate = await modelThroughput(embedder, options.batch, options.modelBatches);
    console.log(`model alone    ${modelRate.toFixed(2)} images/s (${options.modelBatches} batches)`);

    const watched = timed(embedder);
    started = performance.now();
    const report = await indexImages({
      root: join(dir, 'images'),
      dbPath: join(dir, 'db'),
      embedder: watched.embedder,
      batchSize: options.batch,
      workers: options.workers,
      progressBar: false,
    });
    const seconds = (performance.now() - started) / 1000;
    const rate = report.added / seconds;
    console.log(
      `indexing       ${rate.toFixed(2)} images/s (${report.added} files in ${seconds.toFixed(1)} s, model busy ${((100 * watched.busyMs()) / 1000 / seconds).toFixed(1)}% of it)`,
    );
    console.log(`ratio          ${(rate / modelRate).toFixed(3)} x the model's own throughput`);
    if (report.skipped.length > 0) console.log(`skipped ${report.skipped.length}: ${report.skipped[0].reason}`);
  } finally {
    await dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

export const searchIndexing: Benchmark = {
  name: 'search-indexing',
  description: "indexImages images/s vs the model's own batch throughput on 224-px JPEGs (--model vit-b-32|tiny, --images 1000, --batch 32, --workers)",
  run,
};
