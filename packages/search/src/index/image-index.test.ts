import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@clipkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SearchIndexError } from '../errors.js';
import { describeModel, type IndexedModel } from '../search-embedder.js';
import { ColourEmbedder } from '../testing/colour-embedder.js';
import { imageId } from './image-id.js';
import { ImageIndex } from './image-index.js';
import type { ImageRow } from './image-row.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipkit-index-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const colourModel = describeModel(new ColourEmbedder(), '/models/colour');

function model(embedDim: number): IndexedModel {
  return { ...colourModel, id: `random-${embedDim}`, embedDim };
}

function unit(rng: SeededRandom, dim: number): Float32Array {
  const v = Float32Array.from(rng.normalArray(dim));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function row(path: string, vector: Float32Array, size = 100): ImageRow {
  return { id: imageId(path), path, size, mtime: 1700000000000.25, hash: 'ab'.repeat(32), width: 64, height: 48, vector };
}

/** Cosine similarities by brute force in JavaScript (float64), best first: the truth for the index's search. */
function bruteForce(rows: readonly ImageRow[], query: Float32Array, k: number): { path: string; cosine: number }[] {
  return rows
    .map((r) => ({ path: r.path, cosine: r.vector.reduce((sum, x, i) => sum + x * query[i], 0) }))
    .sort((a, b) => b.cosine - a.cosine)
    .slice(0, k);
}

describe('ImageIndex', () => {
  it('records its root and model in the table metadata and refuses another model or root', async () => {
    const db = join(dir, 'db');
    const index = await ImageIndex.openForWriting(db, { root: '/photos', model: colourModel });
    index.close();
    const reopened = await ImageIndex.open(db);
    expect(reopened.root).toBe('/photos');
    expect(reopened.model).toEqual(colourModel);
    reopened.close();

    const other = describeModel(new ColourEmbedder({ modelId: 'another-model' }));
    await expect(ImageIndex.open(db, { model: other })).rejects.toThrow(
      `cannot be used with this model: it was built with model colour-embedder-v1 (/models/colour), not another-model`,
    );
    await expect(ImageIndex.open(db, { model: { ...colourModel, embedDim: 4 } })).rejects.toThrow('it holds 3-dimensional embeddings, the model makes 4');
    await expect(ImageIndex.open(db, { model: { ...colourModel, preprocess: { ...colourModel.preprocess, size: 32 } } })).rejects.toThrow('it was built with preprocessing');
    await expect(ImageIndex.openForWriting(db, { root: '/other', model: colourModel })).rejects.toThrow('indexes /photos, not /other');
  });

  it('says so when there is no index', async () => {
    await expect(ImageIndex.open(join(dir, 'nothing'))).rejects.toThrow(SearchIndexError);
    await expect(ImageIndex.open(join(dir, 'nothing'))).rejects.toThrow('no image index at');
  });

  it('writes rows by merging on the id: writing a row again replaces it', async () => {
    const index = await ImageIndex.openForWriting(join(dir, 'db'), { root: '/photos', model: colourModel });
    try {
      const red = row('a/red.png', new Float32Array([1, 0, 0]));
      const blue = row('blue.png', new Float32Array([0, 0, 1]));
      await index.write([red, blue]);
      await index.write([{ ...red, size: 7, vector: new Float32Array([0, 1, 0]) }]);
      expect(await index.count()).toBe(2);
      const stored = await index.row(red.id);
      expect(stored).toMatchObject({ path: 'a/red.png', size: 7, mtime: 1700000000000.25, width: 64, height: 48 });
      expect([...stored!.vector]).toEqual([0, 1, 0]);
      expect(await index.record(blue.id)).toEqual({ id: blue.id, path: 'blue.png', size: 100, mtime: blue.mtime, hash: blue.hash, width: 64, height: 48 });
      await index.remove([red.id]);
      expect((await index.records()).map((r) => r.path)).toEqual(['blue.png']);
      expect(await index.row(red.id)).toBeNull();
      await expect(index.write([row('x.png', new Float32Array([1, 0]))])).rejects.toThrow('embedding of 2 values, the index holds 3');
      await expect(index.rows(["x' OR 1=1 --"])).rejects.toThrow('is not an image id');
    } finally {
      index.close();
    }
  });

  it('searches exactly: the same top 10 and cosines as a brute-force scan', async () => {
    const rng = new SeededRandom(11);
    const dim = 32;
    const rows = Array.from({ length: 500 }, (_, i) => row(`img-${i}.png`, unit(rng, dim)));
    const index = await ImageIndex.openForWriting(join(dir, 'db'), { root: '/photos', model: model(dim) });
    try {
      await index.write(rows.slice(0, 200));
      await index.write(rows.slice(200));
      for (let q = 0; q < 5; q++) {
        const query = unit(rng, dim);
        const found = await index.nearest(query, { k: 10 });
        const truth = bruteForce(rows, query, 10);
        expect(found.map((n) => n.record.path)).toEqual(truth.map((t) => t.path));
        for (const [i, n] of found.entries()) expect(Math.abs(n.cosine - truth[i].cosine)).toBeLessThan(1e-6);
      }
      const query = rows[3].vector;
      expect((await index.nearest(query, { k: 1 }))[0].record.path).toBe('img-3.png');
      const excluded = await index.nearest(query, { k: 3, excludeId: rows[3].id });
      expect(excluded.map((n) => n.record.path)).toEqual(
        bruteForce(rows, query, 4)
          .slice(1)
          .map((t) => t.path),
      );
    } finally {
      index.close();
    }
  });

  it('builds an IVF-PQ index from the row count given, searches it approximately, and exactly on request', async () => {
    const rng = new SeededRandom(12);
    const dim = 32;
    // Clustered data, as embeddings are: 2000 rows around 40 centres.
    const centres = Array.from({ length: 40 }, () => unit(rng, dim));
    const nearCentre = (c: number) => {
      const noisy = centres[c].map((x) => x + 0.15 * rng.normal());
      const norm = Math.hypot(...noisy);
      return noisy.map((x) => x / norm);
    };
    const rows = Array.from({ length: 2000 }, (_, i) => row(`img-${i}.png`, nearCentre(i % 40)));
    const index = await ImageIndex.openForWriting(join(dir, 'db'), { root: '/photos', model: model(dim) });
    try {
      await index.write(rows);
      expect(await index.maintain(5000)).toEqual({ approximate: false });
      expect(await index.maintain(1000)).toEqual({ approximate: true });
      expect(await index.isApproximate()).toBe(true);
      let hits = 0;
      const queries = 20;
      for (let q = 0; q < queries; q++) {
        const query = nearCentre(q % 40); // queries resemble the rows, as queries of a real collection do
        const truth = bruteForce(rows, query, 10).map((t) => t.path);
        const approximate = await index.nearest(query, { k: 10 });
        hits += approximate.filter((n) => truth.includes(n.record.path)).length;
        expect((await index.nearest(query, { k: 10, exact: true })).map((n) => n.record.path)).toEqual(truth);
      }
      // recall@10 of the approximate search against the exact one; the refine step re-ranks by full vectors.
      expect(hits / (10 * queries)).toBeGreaterThanOrEqual(0.9);
    } finally {
      index.close();
    }
  });
});
