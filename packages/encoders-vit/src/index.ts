export { PatchEmbedding } from './patch-embedding.js';
export { VisionTransformer } from './vision-transformer.js';
export { type VitConfig, vitSchema } from './vit-schema.js';
export { vitOpenClipFormat } from './vit-open-clip-format.js';
export { vitHfFormat } from './vit-hf-format.js';
export { vitGraph } from './vit-graph.js';
export { plugins, vitPlugin } from './vit-plugin.js';
