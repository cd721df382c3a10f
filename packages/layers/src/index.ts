export { Layer } from './layer.js';
export { Linear, linear, type LinearOptions } from './linear.js';
export { project } from './project.js';
export { ops } from './ops.js';
export { portableOps } from './portable-ops.js';
export { LayerNorm } from './layer-norm.js';
export { Embedding } from './embedding.js';
export { type Activation, activation, gelu, geluTanh, quickGelu } from './activation.js';
export { causalMask } from './causal-mask.js';
export { MultiHeadAttention, type MultiHeadAttentionInit } from './multi-head-attention.js';
export { SeparateQkvAttention } from './separate-qkv-attention.js';
export { PatchEmbedding, type PatchEmbeddingOptions } from './patch-embedding.js';
export { MLP, type MLPOptions } from './mlp.js';
export { ResidualAttentionBlock, type ResidualAttentionBlockOptions, type TransformerInit } from './residual-attention-block.js';
export { Transformer } from './transformer.js';

// ONNX forms of the layers, for the towers' onnx.graph
export { activationNode, type GraphActivation, layerNormNode, linearNode } from './onnx/onnx-nodes.js';
export { singleQueryAttention, type SingleQueryAttentionSpec } from './onnx/single-query-attention.js';
export {
  type BlockNaming,
  OPENAI_BLOCK_NAMING,
  type PooledToken,
  TRANSFORMERS_BLOCK_NAMING,
  transformerGraph,
  type TransformerGraphSpec,
} from './onnx/transformer-graph.js';

// The towers' shared parts of open_clip's and Hugging Face's formats
export { onlyDefault, readForeignConfig, type ReadForeignConfigOptions } from './formats/read-foreign-config.js';
export { openClipVisionOptions } from './formats/open-clip-vision-options.js';
export { transformerHfStorage } from './formats/transformer-hf-storage.js';
