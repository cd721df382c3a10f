import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexImages } from './pipeline/index-images.js';
import type { SearchEmbedder } from './search-embedder.js';
import { startSearchServer } from './server/start-search-server.js';
import { ColourEmbedder } from './testing/colour-embedder.js';
import { PAINTS, writeColourImage } from './testing/colour-images.js';
import { temporaryFolder, WORKER } from './testing/test-folders.test-support.js';
import { workerEmbedder } from './worker-embedder.js';

// Compiled scripts from dist (nx builds the package before its tests).
const EMBEDDER_SCRIPT = new URL('../dist/embedder-worker.js', import.meta.url);
const COLOUR_MODULE = new URL('../dist/testing/colour-embedder-module.js', import.meta.url);
const tmp = temporaryFolder('clipkit-worker-embedder-');

describe('workerEmbedder', () => {
  it('describes and embeds as the embedder it runs', async () => {
    const local = new ColourEmbedder({ logitBias: -3 });
    const remote = await workerEmbedder(COLOUR_MODULE, { logitBias: -3 }, EMBEDDER_SCRIPT);
    try {
      expect({ ...remote, embedPixels: 0, embedTexts: 0, dispose: 0 }).toEqual({
        modelId: local.modelId,
        embedDim: 3,
        logitScale: 10,
        logitBias: -3,
        preprocess: local.preprocess,
        embedPixels: 0,
        embedTexts: 0,
        dispose: 0,
      });
      const pixels = Float32Array.from({ length: 2 * 3 * 16 * 16 }, (_, i) => (i % 7) / 7); // [2, 3, 16, 16]
      expect(await remote.embedPixels(pixels, [2, 3, 16, 16])).toEqual(await local.embedPixels(pixels, [2, 3, 16, 16]));
      expect(await remote.embedTexts(['red', 'a blue car'])).toEqual(await local.embedTexts(['red', 'a blue car']));
    } finally {
      await remote.dispose();
    }
  });

  it('says which module lacks createEmbedder', async () => {
    await expect(workerEmbedder(new URL('../dist/errors.js', import.meta.url), {}, EMBEDDER_SCRIPT)).rejects.toThrow('does not export createEmbedder(options)');
  });

  it('keeps the server answering while a model that computes on its thread embeds a query', async () => {
    const root = join(tmp.path, 'photos');
    for (const [name, rgb] of Object.entries(PAINTS)) await writeColourImage(join(root, `${name}.png`), rgb);
    const db = join(tmp.path, 'db');
    await indexImages({ root, dbPath: db, embedder: new ColourEmbedder(), progressBar: false, workerScript: WORKER });

    /** In which order a slow text search and a health check sent 100 ms after it are answered. */
    async function answerOrder(embedder: SearchEmbedder): Promise<string[]> {
      const server = await startSearchServer({ dbPath: db, embedder, port: 0, workerScript: WORKER });
      try {
        const order: string[] = [];
        const search = fetch(`${server.url}/api/search/text`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": "red"}' }).then(() =>
          order.push('search'),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
        await Promise.all([search, fetch(`${server.url}/api/health`).then(() => order.push('health'))]);
        return order;
      } finally {
        await server.close();
      }
    }

    // The model computes for 1.5 s per call, on the thread that calls it, as tfjs does. On the server's own
    // thread that would hold up this test's client too (it shares the thread), so only the worker case can be
    // observed here: the health check is answered while the search waits for its embedding.
    const remote = await workerEmbedder(COLOUR_MODULE, { busyMs: 1500 }, EMBEDDER_SCRIPT);
    try {
      expect(await answerOrder(remote)).toEqual(['health', 'search']);
    } finally {
      await remote.dispose();
    }
  });
});
