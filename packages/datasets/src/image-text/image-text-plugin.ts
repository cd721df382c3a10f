import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ClipDataset, ClipkitError, clipPreprocess, DATASET, definePlugin } from '@clipkit/core';
import { dataRandom } from '../common/data-random.js';
import { workerImageLoader } from '../common/image-loader.js';
import { augmentKey } from '../common/image-pipeline.js';
import { type ImageTextDataConfig, imageTextSchema } from './image-text-config.js';
import { ImageTextDataset } from './image-text-dataset.js';
import { type CaptionRow, readCaptionTable } from './read-caption-table.js';
import { resolveInside } from './resolve-inside.js';

/** The rows of `file` (relative to the data folder, or absolute), image paths made absolute and checked to stay inside the folder. */
export function readImageTextRows(data: ImageTextDataConfig, file: string): CaptionRow[] {
  const root = resolve(data.path);
  const rows = readCaptionTable(resolve(root, file), data);
  return rows.map((row) => ({ ...row, image: resolveInside(root, row.image, row.where) }));
}

/** `data.type: "image-text"`: a folder of images and a CSV/TSV or JSONL table; images decoded on a worker thread. */
export const imageTextPlugin = definePlugin<ClipDataset, ImageTextDataConfig>({
  slot: DATASET,
  type: 'image-text',
  schema: imageTextSchema,
  create(data, { config, log }) {
    if (!existsSync(data.path) || !statSync(data.path).isDirectory()) throw new ClipkitError(`image-text data folder ${data.path} (data.path) does not exist or is not a folder`);
    const train = readImageTextRows(data, data.file);
    const evalRows = data.evalFile === null ? undefined : readImageTextRows(data, data.evalFile);
    const imageSize = config.model.vision.imageSize;
    const preprocess = config.preprocess ?? clipPreprocess(imageSize);
    log(
      `image-text: ${train.length} training pairs from ${data.file}${evalRows ? `, ${evalRows.length} retrieval pairs from ${data.evalFile}` : ''}, images decoded on a worker thread${data.augment ? ', augmented' : ''}`,
    );
    const loader = workerImageLoader({ preprocess, imageSize, augment: data.augment, augmentKey: augmentKey(dataRandom(config.train.seed)) });
    return new ImageTextDataset({ train, eval: evalRows, imageSize, preprocess, seed: config.train.seed, loader, log });
  },
});
