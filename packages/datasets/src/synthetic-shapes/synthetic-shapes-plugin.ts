import { type ClipDataset, clipPreprocess, DATASET, definePlugin, SeededRandom } from '@clipkit/core';
import { dataRandom } from '../common/data-random.js';
import { requireImageSize } from '../common/require-image-size.js';
import { workerShapeRenderer } from './shape-renderer.js';
import type { ShapeStreams } from './shape-streams.js';
import { type SyntheticShapesDataConfig, syntheticShapesSchema } from './synthetic-shapes-config.js';
import { SyntheticShapesDataset } from './synthetic-shapes-dataset.js';

/** Training scenes follow train.seed; evaluation scenes follow data.seed, so every run is scored on the same images. */
export function shapeStreams(imageSize: number, trainSeed: number, evalSeed: number): ShapeStreams {
  return { imageSize, trainKey: dataRandom(trainSeed).nextUint32(), evalKey: new SeededRandom(evalSeed).fork('synthetic-shapes eval').nextUint32() };
}

/** `data.type: "synthetic-shapes"` (the default): generated on a worker thread, nothing to download. */
export const syntheticShapesPlugin = definePlugin<ClipDataset, SyntheticShapesDataConfig>({
  slot: DATASET,
  type: 'synthetic-shapes',
  schema: syntheticShapesSchema,
  create(data, { config, log }) {
    requireImageSize(config, data.imageSize, 'the synthetic images are data.imageSize pixels; set both to the same value');
    log(`synthetic-shapes: ${data.imageSize}x${data.imageSize} images drawn on a worker thread, ${data.evalSize} held-out images for zero-shot evaluation`);
    // Drawn at data.imageSize, then preprocessed as image files of them would be (CLIP's transform leaves their size).
    const preprocess = config.preprocess ?? clipPreprocess(data.imageSize);
    return new SyntheticShapesDataset(workerShapeRenderer(shapeStreams(data.imageSize, config.train.seed, data.seed), preprocess), data.evalSize);
  },
});
