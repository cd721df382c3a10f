import type { ClipBatch, PreprocessConfig } from '@clipkit/core';
import { WorkerClient } from '../common/worker-client.js';
import { renderShapeBatch, type ShapeRenderRequest } from './render-shape-batch.js';
import type { ShapeStreams } from './shape-streams.js';

/** Where synthetic images are drawn: both kinds give identical batches for the same streams. */
export interface ShapeRenderer {
  /** The transform of the images it draws. */
  readonly preprocess: PreprocessConfig;
  render(request: ShapeRenderRequest): Promise<ClipBatch>;
  dispose(): Promise<void>;
}

/** Draws on the calling thread (drawing then competes with the training step for the main thread). */
export function inThreadShapeRenderer(streams: ShapeStreams, preprocess: PreprocessConfig): ShapeRenderer {
  return {
    preprocess,
    render: async (request) => renderShapeBatch(streams, preprocess, request),
    dispose: async () => undefined,
  };
}

/** What the worker is started with. */
export interface ShapeWorkerData {
  readonly streams: ShapeStreams;
  readonly preprocess: PreprocessConfig;
}

/** The compiled worker script beside this module. */
const SHAPE_RENDER_WORKER = new URL('./shape-render-worker.js', import.meta.url);

/**
 * Draws on a worker thread, so drawing overlaps the synchronous training step (tfjs's wasm backend
 * computes on one thread under Node, which leaves the second core to the worker).
 */
export function workerShapeRenderer(streams: ShapeStreams, preprocess: PreprocessConfig, script: URL = SHAPE_RENDER_WORKER): ShapeRenderer {
  const client = new WorkerClient<ShapeRenderRequest, ClipBatch>(script, { streams, preprocess } satisfies ShapeWorkerData);
  return {
    preprocess,
    render: (request) => client.request(request),
    dispose: () => client.dispose(),
  };
}
