import { parentPort } from 'node:worker_threads';
import { ClipkitError } from '@clipkit/core';
import type { WorkerReply } from './worker-pool.js';

/** The worker side of WorkerPool: answers each request with `handle`'s result, moving the listed buffers instead of copying them. */
export function serveWorkerRequests<Request, Result>(handle: (request: Request) => Promise<{ result: Result; transfer: ArrayBuffer[] }>): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerRequests runs inside a worker thread');
  port.on('message', async ({ id, request }: { id: number; request: Request }) => {
    try {
      const { result, transfer } = await handle(request);
      port.postMessage({ id, result } satisfies WorkerReply<Result>, transfer);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({ id, error: { message, userError: error instanceof ClipkitError } } satisfies WorkerReply<Result>);
    }
  });
}
