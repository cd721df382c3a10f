import { type ClipBatch, ClipkitError } from '@clipkit/core';

/** Evaluation batches: items 0..size-1 in order, `batchSize` at a time, the last batch possibly smaller. */
export async function* orderedBatches(size: number, batchSize: number, produce: (first: number, count: number) => Promise<ClipBatch>): AsyncGenerator<ClipBatch> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ClipkitError(`evaluation batch size must be an integer >= 1, got ${batchSize}`);
  for (let first = 0; first < size; first += batchSize) yield await produce(first, Math.min(batchSize, size - first));
}
