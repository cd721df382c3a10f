export { PatchEmbedding } from './patch-embedding.js';
export { VisionTransformer } from './vision-transformer.js';
export { vitPlugin } from './vit-plugin.js';
