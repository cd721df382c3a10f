import { appendFile, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageId } from '../index/image-id.js';
import { ImageIndex } from '../index/image-index.js';
import { ColourEmbedder } from '../testing/colour-embedder.js';
import { PAINTS, writeColourImage } from '../testing/colour-images.js';
import { temporaryFolder, WORKER } from '../testing/test-folders.test-support.js';
import { indexImages } from './index-images.js';
import type { IndexProgress } from './index-progress.js';

const tmp = temporaryFolder('clipkit-pipeline-');

/** Writes one image per paint, in three formats and two folders. */
async function paintFolder(root: string): Promise<string[]> {
  const names = Object.keys(PAINTS).map((name, i) => `${i % 2 === 0 ? 'warm' : 'cool/deeper'}/${name}.${['png', 'jpg', 'webp'][i % 3]}`);
  for (const [i, name] of names.entries()) await writeColourImage(join(root, name), Object.values(PAINTS)[i]);
  return names.sort();
}

function pixelImages(embedder: ColourEmbedder): number {
  return embedder.calls.reduce((sum, call) => sum + (call.kind === 'pixels' ? call.images : 0), 0);
}

/** Every stored vector is the direction of its image's colour: the colour it was painted. */
function expectColourVectors(rows: { path: string; vector: Float32Array }[], colours: Record<string, readonly number[]>): void {
  for (const row of rows) {
    const expected = ColourEmbedder.colourVector(colours[row.path]);
    // JPEG shifts colours by a few levels; the direction stays within 0.02.
    for (const [i, x] of row.vector.entries()) expect(Math.abs(x - expected[i])).toBeLessThan(0.02);
  }
}

describe('indexImages', () => {
  it('indexes a folder, then on a re-run embeds only new and changed files and removes deleted ones', async () => {
    const root = join(tmp.path, 'photos');
    const db = join(tmp.path, 'db');
    const names = await paintFolder(root);
    const embedder = new ColourEmbedder();
    const progress: IndexProgress[] = [];
    const first = await indexImages({
      root,
      dbPath: db,
      embedder,
      batchSize: 4,
      workers: 2,
      commitRows: 3,
      progressBar: false,
      workerScript: WORKER,
      onProgress: (p) => progress.push(p),
    });
    expect(first).toMatchObject({ found: 10, added: 10, updated: 0, touched: 0, unchanged: 0, removed: 0, skipped: [], rows: 10, approximate: false });
    expect(pixelImages(embedder)).toBe(10);
    expect(progress.at(-1)).toMatchObject({ done: 10, total: 10, committed: 10, skipped: 0, etaSeconds: 0 });
    expect(progress.every((p) => p.filesPerSecond >= 0 && p.done <= p.total)).toBe(true);

    const colours: Record<string, readonly number[]> = Object.fromEntries(names.map((name) => [name, PAINTS[name.replace(/^.*\/|\..*$/g, '')]]));
    const index = await ImageIndex.open(db);
    const rows = await index.rows(names.map(imageId));
    index.close();
    expect(rows.map((r) => r.path).sort()).toEqual(names);
    expect(rows.every((r) => r.width === 48 && r.height === 40 && /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
    expectColourVectors(rows, colours);

    // Changes: one new file, one repainted (new content), one touched (same bytes, new mtime), one deleted, one corrupt.
    await writeColourImage(join(root, 'new/blue-again.png'), PAINTS.blue);
    const repainted = names.find((n) => n.includes('/red.'))!;
    await writeColourImage(join(root, repainted), PAINTS.green);
    const touched = names.find((n) => n.includes('/cyan.'))!;
    await utimes(join(root, touched), new Date(), new Date(Date.now() + 5000));
    const deleted = names.find((n) => n.includes('/white.'))!;
    await rm(join(root, deleted));
    await writeFile(join(root, 'broken.jpg'), (await readFile(join(root, names.find((n) => n.endsWith('.jpg'))!))).subarray(0, 200));
    await appendFile(join(root, 'notes.txt'), 'not an image');

    const second = await indexImages({ root, dbPath: db, embedder, batchSize: 4, workers: 1, progressBar: false, workerScript: WORKER });
    expect(second).toMatchObject({ found: 11, added: 1, updated: 1, touched: 1, unchanged: 7, removed: 1, rows: 10 });
    expect(second.skipped.map((s) => s.path)).toEqual(['broken.jpg']);
    expect(second.skipped[0].reason).toContain('broken.jpg');
    expect(pixelImages(embedder)).toBe(10 + 2); // the new and the repainted file only

    const after = await ImageIndex.open(db);
    const stored = await after.rows([...names, 'new/blue-again.png'].map(imageId));
    after.close();
    expect(stored.map((r) => r.path).sort()).toEqual([...names.filter((n) => n !== deleted), 'new/blue-again.png'].sort());
    expectColourVectors(stored, { ...colours, [repainted]: PAINTS.green, 'new/blue-again.png': PAINTS.blue });

    const third = await indexImages({ root, dbPath: db, embedder, workers: 1, progressBar: false, workerScript: WORKER });
    expect(third).toMatchObject({ added: 0, updated: 0, touched: 0, unchanged: 10, removed: 0, rows: 10 });
    expect(third.skipped.map((s) => s.path)).toEqual(['broken.jpg']); // still listed: it is still unreadable
    expect(pixelImages(embedder)).toBe(12);
  });

  it('refuses to add to an index built with another model, and a root that is not a folder', async () => {
    const root = join(tmp.path, 'photos');
    await writeColourImage(join(root, 'a.png'), PAINTS.red);
    const db = join(tmp.path, 'db');
    await indexImages({ root, dbPath: db, embedder: new ColourEmbedder(), progressBar: false, workerScript: WORKER });
    await expect(indexImages({ root, dbPath: db, embedder: new ColourEmbedder({ modelId: 'colour-embedder-v2' }), progressBar: false, workerScript: WORKER })).rejects.toThrow(
      'it was built with model colour-embedder-v1, not colour-embedder-v2',
    );
    await expect(indexImages({ root: join(root, 'a.png'), dbPath: db, embedder: new ColourEmbedder(), progressBar: false, workerScript: WORKER })).rejects.toThrow(
      'is not a folder',
    );
  });

  it('rejects an embedder that returns unnormalised rows, writing nothing', async () => {
    const root = join(tmp.path, 'photos');
    await writeColourImage(join(root, 'a.png'), PAINTS.red);
    const embedder = new ColourEmbedder();
    const broken = Object.assign(Object.create(embedder), {
      embedPixels: async (p: Float32Array, s: [number, number, number, number]) => (await embedder.embedPixels(p, s)).map((x) => 2 * x),
    });
    const db = join(tmp.path, 'db');
    await expect(indexImages({ root, dbPath: db, embedder: broken, progressBar: false, workerScript: WORKER })).rejects.toThrow('embedPixels returned row 0 with norm 2');
    const index = await ImageIndex.open(db);
    expect(await index.count()).toBe(0);
    index.close();
  });
});
