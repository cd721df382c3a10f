import { ClipkitError } from '@clipkit/core';

/** Runs tasks one at a time, in the order given: the queues of one model share one. */
export class SerialRunner {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

interface Waiting<I, O> {
  readonly item: I;
  resolve(output: O): void;
  reject(error: unknown): void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export interface MicroBatchQueueOptions {
  /** Most items per call of `run`. Default 16. */
  readonly maxBatch?: number;
  /** Runs batches one at a time; share one between the queues of one model. Default: a runner of its own. */
  readonly runner?: SerialRunner;
}

/**
 * Gathers concurrent requests into batches for one model: an item waits while a batch runs (or until the
 * requests of the current event-loop turn have arrived), then up to `maxBatch` waiting items go to `run`
 * together. Under no load an item runs alone at once; under load batches fill up, which is what makes
 * 32 concurrent queries cost a few model calls instead of 32. An item whose signal aborts while it waits
 * leaves the queue and never reaches the model.
 */
export class MicroBatchQueue<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private readonly maxBatch: number;
  private readonly runner: SerialRunner;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    options: MicroBatchQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 16;
    if (!Number.isSafeInteger(this.maxBatch) || this.maxBatch < 1) throw new ClipkitError(`maxBatch must be an integer >= 1, got ${this.maxBatch}`);
    this.runner = options.runner ?? new SerialRunner();
  }

  /** Items waiting for a batch. */
  get size(): number {
    return this.waiting.length;
  }

  push(item: I, signal?: AbortSignal): Promise<O> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<O>((resolve, reject) => {
      const entry: Waiting<I, O> = {
        item,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate: requests that arrive in the same turn (parsed from the same socket reads) join this batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.runner.run(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting.splice(0, this.maxBatch);
    if (this.waiting.length > 0) this.schedule(); // queued behind this batch on the runner
    if (batch.length === 0) return;
    for (const entry of batch) entry.signal?.removeEventListener('abort', entry.onAbort);
    try {
      const outputs = await this.run(batch.map((entry) => entry.item));
      if (outputs.length !== batch.length) throw new Error(`a batch of ${batch.length} items gave ${outputs.length} results`);
      for (const [i, entry] of batch.entries()) entry.resolve(outputs[i]);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
