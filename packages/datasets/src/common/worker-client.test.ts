import { type ClipBatch, ClipkitError, clipPreprocess } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import type { ShapeRenderRequest } from '../synthetic-shapes/render-shape-batch.js';
import { WorkerClient } from './worker-client.js';

// A real worker script from the package's dist (vitest builds the package first, via nx).
const SHAPE_WORKER = new URL('../../dist/synthetic-shapes/shape-render-worker.js', import.meta.url);
const workerData = { streams: { imageSize: 16, trainKey: 1, evalKey: 2 }, preprocess: clipPreprocess(16) };

describe('WorkerClient', () => {
  it('matches replies to requests, and passes a failure in the worker to the request that caused it', async () => {
    const client = new WorkerClient<ShapeRenderRequest, ClipBatch>(SHAPE_WORKER, workerData);
    try {
      const [a, bad, b] = await Promise.allSettled([
        client.request({ stream: 'train', first: 0, count: 2 }),
        client.request({ stream: 'train', first: -5, count: 1 }),
        client.request({ stream: 'eval', first: 0, count: 3 }),
      ]);
      expect(a.status === 'fulfilled' && a.value.pixelShape).toEqual([2, 3, 16, 16]);
      expect(b.status === 'fulfilled' && b.value.pixelShape).toEqual([3, 3, 16, 16]);
      expect(bad.status === 'rejected' && (bad.reason as Error).message).toContain('item index must be a safe integer >= 0, got -5');
    } finally {
      await client.dispose();
    }
  });

  it('rejects pending requests when disposed', async () => {
    const client = new WorkerClient<ShapeRenderRequest, ClipBatch>(SHAPE_WORKER, workerData);
    const pending = expect(client.request({ stream: 'train', first: 0, count: 200 })).rejects.toThrow(ClipkitError);
    await client.dispose();
    await pending;
  });
});
