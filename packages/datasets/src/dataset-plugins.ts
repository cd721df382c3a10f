import type { ClipDataset, ClipPlugin } from '@clipkit/core';
import { fashionMnistPlugin } from './fashion-mnist/fashion-mnist-plugin.js';
import { imageTextPlugin } from './image-text/image-text-plugin.js';
import { syntheticShapesPlugin } from './synthetic-shapes/synthetic-shapes-plugin.js';

/** Every dataset plug-in of this package, to pass to `assembleClip`. */
export const datasetPlugins: readonly ClipPlugin<ClipDataset>[] = [syntheticShapesPlugin, fashionMnistPlugin, imageTextPlugin];
