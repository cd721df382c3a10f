import { workerData } from 'node:worker_threads';
import type { ClipBatch } from '@clipkit/core';
import { serveWorkerRequests } from '@clipkit/images';
import { renderShapeBatch, type ShapeRenderRequest } from './render-shape-batch.js';
import type { ShapeWorkerData } from './shape-renderer.js';

// Worker entry of workerShapeRenderer: draws the requested scenes and moves the arrays to the main thread.
serveWorkerRequests<ShapeRenderRequest, ClipBatch>(async (request) => {
  const { streams, preprocess } = workerData as ShapeWorkerData;
  const batch = renderShapeBatch(streams, preprocess, request);
  return { result: batch, transfer: [batch.pixelValues.buffer as ArrayBuffer, batch.labels!.buffer as ArrayBuffer] };
});
