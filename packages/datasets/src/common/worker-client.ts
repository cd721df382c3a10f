import { Worker } from 'node:worker_threads';
import { ClipkitError } from '@clipkit/core';
import type { WorkerReply } from '@clipkit/images';

interface Pending<R> {
  resolve(result: R): void;
  reject(error: Error): void;
}

/**
 * Sends requests to one worker thread and matches the replies. The worker starts on the first request and
 * keeps the process alive only while a request is pending, so an idle dataset never holds a process or a
 * test runner open; dispose() terminates it.
 */
export class WorkerClient<Request, Result> {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending<Result>>();
  private nextId = 0;

  constructor(
    private readonly script: URL,
    private readonly workerData: unknown,
  ) {}

  request(request: Request): Promise<Result> {
    this.worker ??= this.start();
    const worker = this.worker;
    const id = this.nextId++;
    if (this.pending.size === 0) worker.ref();
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, request });
    });
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new ClipkitError('the data worker was disposed while a request was pending'));
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.script, { workerData: this.workerData });
    worker.unref();
    worker.on('message', (reply: WorkerReply<Result>) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in reply) pending.reject(reply.error.userError ? new ClipkitError(reply.error.message) : new Error(reply.error.message));
      else pending.resolve(reply.result);
    });
    worker.on('error', (error) => {
      this.worker = undefined;
      this.failAll(new Error(`data worker ${this.script.pathname} failed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`data worker ${this.script.pathname} exited with code ${code}`));
    });
    return worker;
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
