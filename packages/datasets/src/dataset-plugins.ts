import { fashionMnistPlugin } from './fashion-mnist/fashion-mnist-plugin.js';
import { imageFolderPlugin } from './image-folder/image-folder-plugin.js';
import { imageTextPlugin } from './image-text/image-text-plugin.js';
import { syntheticShapesPlugin } from './synthetic-shapes/synthetic-shapes-plugin.js';

/** This package's plug-ins, what `"plugins": ["@clipkit/datasets"]` loads. */
export const plugins = [syntheticShapesPlugin, fashionMnistPlugin, imageTextPlugin, imageFolderPlugin];
