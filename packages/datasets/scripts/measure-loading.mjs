// Measures whether a training loop waits for data: the consumer blocks the main thread for BLOCK_MS per
// batch (as a synchronous training step does), and the time it then waits for the next batch is recorded.
// Usage (after `npx tsc -b packages/datasets`): node packages/datasets/scripts/measure-loading.mjs [BLOCK_MS]
import { FashionMnistDataset, inThreadShapeRenderer, loadFashionMnist, SyntheticShapesDataset, shapeStreams, workerShapeRenderer } from '@clipkit/datasets';

const BLOCK_MS = Number(process.argv[2] ?? 100);
const BATCHES = 30;

function block(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** Median and max wait per batch (after the first, which includes start-up), and images/s overall. */
async function consume(name, dataset, batchSize, blockMs) {
  const waits = [];
  const start = performance.now();
  let asked = performance.now();
  let count = 0;
  for await (const { batch } of dataset.trainBatches({ batchSize, start: { epoch: 0, batch: 0 } })) {
    waits.push(performance.now() - asked);
    if (batch.pixelShape[0] !== batchSize) throw new Error('short batch');
    block(blockMs);
    asked = performance.now();
    if (++count === BATCHES) break;
  }
  const seconds = (performance.now() - start) / 1000;
  await dataset.dispose();
  const steady = waits.slice(1).sort((a, b) => a - b);
  const median = steady[Math.floor(steady.length / 2)];
  console.log(
    `${name.padEnd(44)} block ${String(blockMs).padStart(3)} ms: wait median ${median.toFixed(2)} ms, max ${steady.at(-1).toFixed(2)} ms, first ${waits[0].toFixed(0)} ms; ${((BATCHES * batchSize) / seconds).toFixed(0)} images/s`,
  );
}

const streams = shapeStreams(32, 0, 0);
await consume('synthetic-shapes 32px, batch 128, worker', new SyntheticShapesDataset(workerShapeRenderer(streams), 100), 128, 0);
await consume('synthetic-shapes 32px, batch 128, main thread', new SyntheticShapesDataset(inThreadShapeRenderer(streams), 100), 128, 0);
await consume('synthetic-shapes 32px, batch 128, worker', new SyntheticShapesDataset(workerShapeRenderer(streams), 100), 128, BLOCK_MS);
await consume('synthetic-shapes 32px, batch 128, main thread', new SyntheticShapesDataset(inThreadShapeRenderer(streams), 100), 128, BLOCK_MS);
const mnist = loadFashionMnist('/usr/share/datasets/fashion-mnist');
await consume('fashion-mnist, batch 256, main thread', new FashionMnistDataset(mnist, 0), 256, 0);
await consume('fashion-mnist, batch 256, main thread', new FashionMnistDataset(mnist, 0), 256, BLOCK_MS);
