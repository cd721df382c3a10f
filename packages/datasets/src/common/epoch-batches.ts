import { type ClipBatch, ClipkitError, type DataPosition } from '@clipkit/core';

/** Checks a resume position and carries a batch count past the end of an epoch into the next epochs. */
export function normalisePosition(start: DataPosition, perEpoch: number, dataset: string): DataPosition {
  if (!Number.isSafeInteger(start.epoch) || start.epoch < 0 || !Number.isSafeInteger(start.batch) || start.batch < 0) {
    throw new ClipkitError(`${dataset}: a data position is whole numbers epoch >= 0 and batch >= 0, got ${JSON.stringify(start)}; resume from the position a checkpoint saved`);
  }
  return { epoch: start.epoch + Math.floor(start.batch / perEpoch), batch: start.batch % perEpoch };
}

/**
 * The training batches of a finite dataset, epoch after epoch without end, from `start` on. Each batch
 * comes with the position after it; after an epoch's last batch that is batch 0 of the next epoch.
 */
export async function* epochBatches(
  perEpoch: number,
  start: DataPosition,
  dataset: string,
  produce: (position: DataPosition) => Promise<ClipBatch>,
): AsyncGenerator<{ batch: ClipBatch; next: DataPosition }> {
  let { epoch, batch } = normalisePosition(start, perEpoch, dataset);
  for (;;) {
    const produced = await produce({ epoch, batch });
    batch += 1;
    if (batch === perEpoch) {
      epoch += 1;
      batch = 0;
    }
    yield { batch: produced, next: { epoch, batch } };
  }
}

/** floor(samples / batchSize), with an error when not even one batch can be filled. */
export function dropLastBatches(samples: number, batchSize: number, dataset: string): number {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ClipkitError(`${dataset}: batch size must be an integer >= 1, got ${batchSize}`);
  const batches = Math.floor(samples / batchSize);
  if (batches === 0) throw new ClipkitError(`${dataset}: ${samples} training samples cannot fill one batch of ${batchSize}; lower train.batchSize or add data`);
  return batches;
}
