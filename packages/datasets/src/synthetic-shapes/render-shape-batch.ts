import type { ClipBatch, PreprocessConfig } from '@clipkit/core';
import { preprocessTransform } from '@clipkit/images';
import { drawShapeScene } from './draw-shape-scene.js';
import { type ShapeStreamName, type ShapeStreams, shapeSceneAt } from './shape-streams.js';

/** Scenes [first, first + count) of one stream. */
export interface ShapeRenderRequest {
  readonly stream: ShapeStreamName;
  readonly first: number;
  readonly count: number;
}

/** Draws the requested scenes and preprocesses them as `preprocess` says (CLIP's mean and std by default), as image files of them would be. */
export function renderShapeBatch(streams: ShapeStreams, preprocess: PreprocessConfig, request: ShapeRenderRequest): ClipBatch {
  const side = streams.imageSize;
  const transform = preprocessTransform(preprocess, side);
  const pixelValues = new Float32Array(request.count * 3 * side * side);
  const captions: string[] = [];
  const labels = new Int32Array(request.count);
  for (let n = 0; n < request.count; n++) {
    const scene = shapeSceneAt(streams, request.stream, request.first + n);
    transform.transform(drawShapeScene(scene, side), pixelValues, n * 3 * side * side);
    captions.push(scene.caption);
    labels[n] = scene.shape;
  }
  return { pixelValues, pixelShape: [request.count, 3, side, side], captions, labels };
}
