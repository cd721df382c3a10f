// A process that indexes a folder with a slow colour embedder and reports every commit on stdout, for the
// kill test to SIGKILL mid-run. Runs the compiled package (dist). Arguments: root, db.
import { indexImages } from '../../dist/index.js';
import { ColourEmbedder } from '../../dist/testing/colour-embedder.js';

const [root, db] = process.argv.slice(2);
const report = await indexImages({
  root,
  dbPath: db,
  embedder: new ColourEmbedder({ delayMs: 40 }),
  batchSize: 4,
  commitRows: 4,
  workers: 1,
  progressBar: false,
  workerScript: new URL('../../dist/pipeline/prepare-images-worker.js', import.meta.url),
  onProgress: (p) => console.log(JSON.stringify({ committed: p.committed })),
});
console.log(JSON.stringify({ done: report.rows }));
