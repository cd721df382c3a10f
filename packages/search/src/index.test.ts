import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('@clipkit/search entry', () => {
  // tfjs-core is not in the list: @clipkit/core (ClipkitError) loads it, as it does for every clipkit package.
  it('loads no heavy module on import: LanceDB, Arrow, Fastify and sharp load on first use', () => {
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      import { createRequire } from 'node:module';
      const search = await import(${JSON.stringify(entry)});
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ exports: Object.keys(search).sort(), loaded }));`;
    const { exports, loaded } = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { exports: string[]; loaded: string[] };
    const heavy = loaded.filter((file) => /node_modules\/(@lancedb|apache-arrow|fastify|sharp)\//.test(file));
    expect(heavy).toEqual([]);
    expect(exports).toEqual(
      expect.arrayContaining(['clipModelEmbedder', 'createSearchServer', 'indexImages', 'openImageIndex', 'openImageSearch', 'startSearchServer', 'workerEmbedder']),
    );
  });
});
