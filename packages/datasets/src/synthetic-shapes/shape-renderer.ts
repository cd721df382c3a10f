import type { ClipBatch } from '@clipkit/core';
import { WorkerClient } from '../common/worker-client.js';
import { renderShapeBatch, type ShapeRenderRequest } from './render-shape-batch.js';
import type { ShapeStreams } from './shape-streams.js';

/** Where synthetic images are drawn: both kinds give identical batches for the same streams. */
export interface ShapeRenderer {
  render(request: ShapeRenderRequest): Promise<ClipBatch>;
  dispose(): Promise<void>;
}

/** Draws on the calling thread (drawing then competes with the training step for the main thread). */
export function inThreadShapeRenderer(streams: ShapeStreams): ShapeRenderer {
  return {
    render: async (request) => renderShapeBatch(streams, request),
    dispose: async () => undefined,
  };
}

/** The compiled worker script beside this module. */
const SHAPE_RENDER_WORKER = new URL('./shape-render-worker.js', import.meta.url);

/**
 * Draws on a worker thread, so drawing overlaps the synchronous training step (tfjs's wasm backend
 * computes on one thread under Node, which leaves the second core to the worker).
 */
export function workerShapeRenderer(streams: ShapeStreams, script: URL = SHAPE_RENDER_WORKER): ShapeRenderer {
  const client = new WorkerClient<ShapeRenderRequest, ClipBatch>(script, streams);
  return {
    render: (request) => client.request(request),
    dispose: () => client.dispose(),
  };
}
