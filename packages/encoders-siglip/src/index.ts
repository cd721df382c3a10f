// The towers and their parts (transformers' modeling_siglip.py, one class per file)
export { SiglipVisionTransformer } from './siglip-vision-transformer.js';
export { SiglipTextTransformer } from './siglip-text-transformer.js';
export { SiglipVisionEmbeddings } from './siglip-vision-embeddings.js';
export { SiglipTextEmbeddings } from './siglip-text-embeddings.js';
export { SiglipEncoder } from './siglip-encoder.js';
export { SiglipEncoderLayer, type SiglipEncoderOptions } from './siglip-encoder-layer.js';
export { SiglipMlp } from './siglip-mlp.js';
export { AttentionPoolingHead } from './attention-pooling-head.js';

// Config sections, formats, ONNX graphs and plug-ins
export { type SiglipVisionConfig, siglipVisionSchema } from './siglip-vision-schema.js';
export { type SiglipTextConfig, siglipTextSchema } from './siglip-text-schema.js';
export { siglipVisionHfFormat } from './siglip-vision-hf-format.js';
export { siglipTextHfFormat } from './siglip-text-hf-format.js';
export { siglipVisionGraph } from './siglip-vision-graph.js';
export { siglipTextGraph } from './siglip-text-graph.js';
export { plugins, siglipTextPlugin, siglipVisionPlugin } from './siglip-plugins.js';
