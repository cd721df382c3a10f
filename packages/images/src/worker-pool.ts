import { Worker } from 'node:worker_threads';
import { ClipkitError } from '@clipkit/core';

/** A worker's answer to request `id`: its result, or the message of what it threw (and whether that was a ClipkitError). */
export type WorkerReply<Result> = { id: number; result: Result } | { id: number; error: { message: string; userError: boolean } };

interface Pending<Result> {
  resolve(result: Result): void;
  reject(error: Error): void;
}

/** One worker thread and the requests it has not answered yet. */
class PooledWorker<Request, Result> {
  readonly pending = new Map<number, Pending<Result>>();
  private readonly worker: Worker;
  private nextId = 0;

  constructor(
    private readonly script: URL,
    workerData: unknown,
    private readonly onExit: () => void,
  ) {
    this.worker = new Worker(script, { workerData });
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply<Result>) => this.settle(reply));
    this.worker.on('error', (error) => this.failAll(new Error(`worker ${script.pathname} failed: ${error.message}`, { cause: error })));
    this.worker.on('exit', (code) => {
      this.failAll(new Error(`worker ${script.pathname} exited with code ${code}`));
      this.onExit();
    });
  }

  request(request: Request, transfer: ArrayBuffer[]): Promise<Result> {
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref(); // keep the process alive only while work is pending
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, request }, transfer);
    });
  }

  terminate(): Promise<number> {
    this.failAll(new ClipkitError(`worker ${this.script.pathname} was stopped while a request was pending`));
    return this.worker.terminate();
  }

  private settle(reply: WorkerReply<Result>): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) pending.reject(reply.error.userError ? new ClipkitError(reply.error.message) : new Error(reply.error.message));
    else pending.resolve(reply.result);
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/**
 * A fixed number of worker threads running `script` (which answers with serveWorkerRequests); each request goes
 * to the worker with the fewest pending requests. Workers start with the first request, keep the process alive
 * only while a request is pending, and a worker that dies is replaced on the next request. The pool of
 * @clipkit/search's indexing pipeline (branch searchcli), moved here so every image pipeline shares one.
 */
export class WorkerPool<Request, Result> {
  private readonly workers: (PooledWorker<Request, Result> | undefined)[];

  constructor(
    private readonly script: URL,
    private readonly workerData: unknown,
    size: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new ClipkitError(`a worker pool needs at least 1 worker, got ${size}`);
    this.workers = Array.from({ length: size }, () => undefined); // started by the first request
  }

  request(request: Request, transfer: ArrayBuffer[] = []): Promise<Result> {
    let best = 0;
    for (let i = 0; i < this.workers.length; i++) {
      this.workers[i] ??= this.start(i);
      if (this.workers[i]!.pending.size < this.workers[best]!.pending.size) best = i;
    }
    return this.workers[best]!.request(request, transfer);
  }

  async dispose(): Promise<void> {
    const workers = this.workers.splice(0, this.workers.length, ...this.workers.map(() => undefined));
    await Promise.all(workers.map((worker) => worker?.terminate()));
  }

  private start(slot: number): PooledWorker<Request, Result> {
    const worker: PooledWorker<Request, Result> = new PooledWorker(this.script, this.workerData, () => {
      if (this.workers[slot] === worker) this.workers[slot] = undefined;
    });
    return worker;
  }
}
