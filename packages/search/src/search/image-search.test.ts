import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageId } from '../index/image-id.js';
import { ImageIndex } from '../index/image-index.js';
import { indexImages } from '../pipeline/index-images.js';
import { ColourEmbedder } from '../testing/colour-embedder.js';
import { PAINTS, writeColourImage } from '../testing/colour-images.js';
import { temporaryFolder, WORKER } from '../testing/test-folders.test-support.js';
import { ImageSearch } from './image-search.js';

const tmp = temporaryFolder('clipkit-image-search-');

/** One PNG per paint under root; returns the index of them. */
async function colourIndex(root: string, db: string, embedder: ColourEmbedder): Promise<ImageIndex> {
  for (const [name, rgb] of Object.entries(PAINTS)) await writeColourImage(join(root, `${name}.png`), rgb);
  await indexImages({ root, dbPath: db, embedder, progressBar: false, workerScript: WORKER });
  return ImageIndex.open(db);
}

function cosine(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, x, i) => sum + x * b[i], 0);
}

describe('ImageSearch', () => {
  it('ranks images for a text by cosine, as the painted colours say', async () => {
    const embedder = new ColourEmbedder();
    const search = new ImageSearch(await colourIndex(join(tmp.path, 'photos'), join(tmp.path, 'db'), embedder), embedder);
    try {
      const results = await search.byText('red', { k: 4 });
      // Truth from the paints: the cosine of each paint's direction with the direction of "red".
      const truth = Object.entries(PAINTS)
        .map(([name, rgb]) => ({ path: `${name}.png`, score: cosine(ColourEmbedder.colourVector(rgb), ColourEmbedder.textVector('red')) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 4);
      expect(results.map((r) => r.path)).toEqual(truth.map((t) => t.path));
      for (const [i, r] of results.entries()) expect(Math.abs(r.score - truth[i].score)).toBeLessThan(1e-3);
      expect(results[0]).toMatchObject({ id: imageId(results[0].path), width: 48, height: 40, probability: null });
      expect((await search.byText('something blue', { k: 1 }))[0].path).toBe('blue.png');
      await expect(search.byText('  ')).rejects.toThrow('the search text is empty');
      await expect(search.byText('red', { k: 0 })).rejects.toThrow('k must be an integer >= 1');
    } finally {
      search.close();
    }
  });

  it('finds the image like an image file first, and leaves the image itself out of "more like this"', async () => {
    const embedder = new ColourEmbedder();
    const search = new ImageSearch(await colourIndex(join(tmp.path, 'photos'), join(tmp.path, 'db'), embedder), embedder);
    try {
      const query = join(tmp.path, 'query.jpg');
      await writeColourImage(query, [200, 100, 0], 30, 60); // an orange of another shape, size and format
      expect((await search.byImage(query, { k: 1 }))[0].path).toBe('orange.png');
      const bytes = (await search.byImage(join(tmp.path, 'photos', 'green.png')))[0];
      expect(bytes).toMatchObject({ path: 'green.png', probability: null });
      expect(bytes.score).toBeCloseTo(1, 5);
      // red and dark-red point the same way: each is the other's nearest neighbour.
      const similar = await search.byId(imageId('red.png'), { k: 2 });
      expect(similar.map((r) => r.path)).toEqual(['dark-red.png', 'orange.png']);
      expect(similar[0].score).toBeCloseTo(1, 3);
      await expect(search.byId('0'.repeat(24))).rejects.toMatchObject({ statusCode: 404 });
      await expect(search.byId('../../etc/passwd')).rejects.toMatchObject({ statusCode: 400 });
      await expect(search.byImage(join(tmp.path, 'missing.png'))).rejects.toThrow('cannot read the image file');
    } finally {
      search.close();
    }
  });

  it("gives SigLIP's match probability for text queries of a model with a bias", async () => {
    const embedder = new ColourEmbedder({ logitScale: 10, logitBias: -5 });
    const search = new ImageSearch(await colourIndex(join(tmp.path, 'photos'), join(tmp.path, 'db'), embedder), embedder);
    try {
      for (const result of await search.byText('green', { k: 3 })) {
        expect(result.probability).toBeCloseTo(1 / (1 + Math.exp(-(10 * result.score - 5))), 10);
      }
      expect((await search.byId(imageId('green.png'), { k: 1 }))[0].probability).toBeNull(); // image to image: no match probability
    } finally {
      search.close();
    }
  });

  it('embeds concurrent queries in shared model calls', async () => {
    const embedder = new ColourEmbedder({ delayMs: 20 });
    const search = new ImageSearch(await colourIndex(join(tmp.path, 'photos'), join(tmp.path, 'db'), embedder), embedder, { maxBatch: 8 });
    try {
      // Words whose paint is the only nearest image (red would tie with dark-red).
      const words = ['green', 'blue', 'yellow', 'cyan', 'magenta', 'orange', 'purple', 'white', 'green', 'blue', 'cyan', 'yellow'];
      const before = embedder.calls.length;
      const results = await Promise.all(words.map((word) => search.byText(word, { k: 1 })));
      expect(results.map((r) => r[0].path.replace('.png', ''))).toEqual(words);
      const textCalls = embedder.calls.slice(before).filter((c) => c.kind === 'texts');
      expect(textCalls.map((c) => (c.kind === 'texts' ? c.texts.length : 0))).toEqual([8, 4]);
    } finally {
      search.close();
    }
  });

  it('refuses an index built with another model', async () => {
    const index = await colourIndex(join(tmp.path, 'photos'), join(tmp.path, 'db'), new ColourEmbedder());
    expect(() => new ImageSearch(index, new ColourEmbedder({ modelId: 'other' }))).toThrow('it was built with model colour-embedder-v1, not other');
    index.close();
  });
});
