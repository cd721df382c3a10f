import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@clipkit/core';
import { APPROXIMATE_QUERY, type ImageRow, imageId, openImageIndexForWriting } from '@clipkit/search';
import type { Benchmark } from './benchmarks.js';
import { latencySummary, numberFlags } from './search-timing.js';

/**
 * Search latency of an image index over random unit vectors: exact (every row's dot product) and approximate
 * (LanceDB IVF-PQ), with the recall@k of the approximate search against the exact one. Uniform random
 * directions have no neighbourhoods to find (every row is about as far as any other), the hardest case for
 * an IVF-PQ index; `--clusters N` draws rows around N random centres instead (noise 0.03 per dimension,
 * cosine ~0.8 with the centre), closer to how embeddings of real collections group.
 */

function unitVector(rng: SeededRandom, dim: number): Float32Array {
  const v = rng.normalArray(dim);
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return v.map((x) => x / norm);
}

async function run(args: string[]): Promise<void> {
  const options = numberFlags('search-latency', args, { rows: 100_000, dim: 512, queries: 200, k: 10, clusters: 0 }, ['clusters']);
  const { rows, dim, queries, k, clusters } = options;
  const rng = new SeededRandom(2024);
  const centres = Array.from({ length: clusters }, () => unitVector(rng, dim));
  const draw = (): Float32Array => {
    if (clusters === 0) return unitVector(rng, dim);
    const noisy = centres[rng.int(clusters)].map((x) => x + 0.03 * rng.normal());
    const norm = Math.hypot(...noisy);
    return noisy.map((x) => x / norm);
  };
  const dir = await mkdtemp(join(tmpdir(), 'clipkit-search-latency-'));
  const model = {
    id: 'random',
    embedDim: dim,
    preprocess: { size: 224, cropSize: { height: 224, width: 224 }, rescaleFactor: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
    logitScale: 100,
    logitBias: null,
    ref: null,
  } as const;
  const index = await openImageIndexForWriting(join(dir, 'db'), { root: '/random', model });
  try {
    console.log(
      `search-latency: ${rows} rows of ${dim} random unit float32s (${clusters === 0 ? 'uniform' : `${clusters} clusters`}), ${queries} queries, k ${k}; ${availableParallelism()} cores`,
    );
    let started = performance.now();
    for (let first = 0; first < rows; first += 10_000) {
      const chunk: ImageRow[] = [];
      for (let i = first; i < Math.min(rows, first + 10_000); i++)
        chunk.push({ id: imageId(`${i}.jpg`), path: `${i}.jpg`, size: 1, mtime: 0, hash: '', width: 1, height: 1, vector: draw() });
      await index.write(chunk);
    }
    await index.maintain(Number.POSITIVE_INFINITY); // compaction only
    console.log(`wrote and compacted in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const queryVectors = Array.from({ length: queries }, draw);
    const exactMs: number[] = [];
    const exact: string[][] = [];
    for (const query of queryVectors.slice(0, 3)) await index.nearest(query, { k, exact: true }); // warm the page cache
    for (const query of queryVectors) {
      const t = performance.now();
      exact.push((await index.nearest(query, { k, exact: true })).map((n) => n.record.id));
      exactMs.push(performance.now() - t);
    }
    console.log(`exact          ${latencySummary(exactMs)}`);

    started = performance.now();
    const cpu = process.cpuUsage();
    await index.maintain(1);
    const { user, system } = process.cpuUsage(cpu);
    console.log(`IVF-PQ index built in ${((performance.now() - started) / 1000).toFixed(1)} s (${((user + system) / 1e6).toFixed(1)} CPU-s)`);
    for (const [nprobes, refineFactor] of [
      [APPROXIMATE_QUERY.nprobes, APPROXIMATE_QUERY.refineFactor],
      [10, 1],
      [20, 1],
      [50, 10],
      [100, 20],
    ]) {
      const ms: number[] = [];
      let hits = 0;
      for (const query of queryVectors.slice(0, 3)) await index.nearest(query, { k, nprobes, refineFactor });
      for (const [q, query] of queryVectors.entries()) {
        const t = performance.now();
        const found = await index.nearest(query, { k, nprobes, refineFactor });
        ms.push(performance.now() - t);
        hits += found.filter((n) => exact[q].includes(n.record.id)).length;
      }
      const label = `nprobes ${nprobes}, refine ${refineFactor}${nprobes === APPROXIMATE_QUERY.nprobes && refineFactor === APPROXIMATE_QUERY.refineFactor ? ' (default)' : ''}`;
      console.log(`approximate    ${latencySummary(ms)}, recall@${k} ${(hits / (k * queries)).toFixed(3)}  [${label}]`);
    }
  } finally {
    index.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const searchLatency: Benchmark = {
  name: 'search-latency',
  description: 'image index search p50/p99, exact and IVF-PQ, recall@10 (--rows 100000, --dim 512, --queries 200, --k 10)',
  run,
};
