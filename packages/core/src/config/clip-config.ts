/**
 * The typed clipkit config. A JSON file maps one to one onto these interfaces (as open_clip's model
 * configs map onto its dataclasses); each component is chosen by its `type` field, and every field
 * documents its default. `parseClipConfig` turns JSON into this shape or raises one ConfigError.
 */

/** Activation in the transformer MLPs. */
export type Activation =
  /** `x * sigmoid(1.702 x)`: OpenAI's CLIP weights and open_clip's `quick_gelu: true`. */
  | 'quick_gelu'
  /** Exact erf GELU: open_clip's default (`quick_gelu: false`) and HF `hidden_act: "gelu"`. */
  | 'gelu';

/** Vision Transformer image tower (OpenAI `VisionTransformer`). */
export interface VitConfig {
  type: 'vit';
  /** Input side in pixels (square). Default 224. */
  imageSize: number;
  /** Patch side in pixels; must divide imageSize. Default 32. */
  patchSize: number;
  /** Transformer width. Default 768. */
  width: number;
  /** Number of residual attention blocks. Default 12. */
  layers: number;
  /** Attention heads; must divide width. Default width / 64 (open_clip's head_width 64). */
  heads: number;
  /** Hidden width of each MLP. Default 4 x width. */
  mlpWidth: number;
  /** LayerNorm epsilon. Default 1e-5. */
  layerNormEps: number;
  /** MLP activation. Default "quick_gelu" (OpenAI CLIP). */
  activation: Activation;
}

/** Modified ResNet image tower (OpenAI `ModifiedResNet`): 3-conv stem, anti-aliased bottlenecks, attention pooling. */
export interface ResNetConfig {
  type: 'resnet';
  /** Input side in pixels (square); must be a multiple of 32. Default 224. */
  imageSize: number;
  /** Bottleneck blocks in each of the 4 stages. Default [3, 4, 6, 3] (RN50). */
  layers: [number, number, number, number];
  /** Stem width; stage i has width x 2^i bottleneck channels and 4x that many outputs. Default 64. */
  width: number;
  /** Heads of the attention pool over width x 32 features. Default width x 32 / 64. */
  heads: number;
}

export type VisionConfig = VitConfig | ResNetConfig;

/** Causal text transformer (OpenAI CLIP's text tower). */
export interface TextTransformerConfig {
  type: 'transformer';
  /** Tokens per text, including start and end tokens. Default 77. */
  contextLength: number;
  /** Token vocabulary size. Default 49408 (OpenAI's BPE). */
  vocabSize: number;
  /** Transformer width. Default 512. */
  width: number;
  /** Attention heads; must divide width. Default 8. */
  heads: number;
  /** Number of residual attention blocks. Default 12. */
  layers: number;
  /** Hidden width of each MLP. Default 4 x width. */
  mlpWidth: number;
  /** LayerNorm epsilon. Default 1e-5. */
  layerNormEps: number;
  /** MLP activation. Default "quick_gelu" (OpenAI CLIP). */
  activation: Activation;
  /**
   * Where text features are pooled. null: at the argmax of the token ids (the end-of-text token has the
   * largest id), as OpenAI CLIP. A number: at the first occurrence of that id, as Hugging Face
   * transformers does for configs whose eos_token_id is not 2. Default null.
   */
  eosTokenId: number | null;
}

export type TextConfig = TextTransformerConfig;

export interface ModelConfig {
  /** Dimension of the joint embedding space. Required. */
  embedDim: number;
  /** Image tower, chosen by `type`. Required. */
  vision: VisionConfig;
  /** Text tower, chosen by `type`. Required. */
  text: TextConfig;
}

export interface ClipBpeTokenizerConfig {
  type: 'clip-bpe';
  /**
   * OpenAI's bpe_simple_vocab_16e6.txt.gz, a vocab.json (merges.txt beside it), a tokenizer.json or a
   * directory holding them. null: the OpenAI vocabulary bundled with @clipkit/text-transformer. Default null.
   */
  path: string | null;
}

export type TokenizerConfig = ClipBpeTokenizerConfig;

/** CLIP's softmax loss: symmetric cross-entropy over the similarity matrix. */
export interface ClipLossConfig {
  type: 'clip';
  /** Initial value of the learnable log scale t (logits are multiplied by exp(t)). Default ln(1/0.07). */
  logitScale: number;
  /** t is clamped to [0, maxLogitScale] after every step. Default ln(100). */
  maxLogitScale: number;
}

/** SigLIP's sigmoid loss: a binary loss on every image-text pair, with a learnable bias. */
export interface SigLipLossConfig {
  type: 'siglip';
  /** Initial value of the learnable log scale t'. Default ln(10). */
  logitScale: number;
  /** t' is clamped to [0, maxLogitScale] after every step, as open_clip. Default ln(100). */
  maxLogitScale: number;
  /** Initial value of the learnable logit bias b. Default -10. */
  logitBias: number;
  /** Rows of the similarity matrix computed at a time; null computes it whole. Default null. */
  chunkSize: number | null;
}

export type LossConfig = ClipLossConfig | SigLipLossConfig;

/** Which tfjs backend runs the model. */
export type TfjsDevice =
  /** The fastest available: tensorflow (tfjs-node-gpu, tfjs-node) if installed, else blas if its addon loads, else wasm, else cpu. */
  | 'auto'
  /** libtensorflow through @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node. */
  | 'tensorflow'
  /** The cpu backend with matrix products and convolutions on OpenBLAS (@clipkit/backend-tfjs's addon); falls back to wasm with a warning when the addon cannot load. */
  | 'blas'
  /** @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD). */
  | 'wasm'
  /** @tensorflow/tfjs-backend-cpu (plain JavaScript). */
  | 'cpu';

export interface TfjsBackendConfig {
  type: 'tfjs';
  /** Default "auto". */
  device: TfjsDevice;
  /** Threads for backends that take a count; null: all cores. Default null. */
  threads: number | null;
}

export interface OnnxRuntimeBackendConfig {
  type: 'onnxruntime';
  /** Intra-op threads; null: onnxruntime's default (all cores). Default null. */
  threads: number | null;
  /** onnxruntime graph optimisation level. Default "all". */
  graphOptimization: 'disabled' | 'basic' | 'extended' | 'all';
}

export type BackendConfig = TfjsBackendConfig | OnnxRuntimeBackendConfig;
export type BackendType = BackendConfig['type'];

/**
 * Images of shapes in colours, positions and sizes with their captions, generated on the fly: an endless
 * training stream (drawn from `train.seed`) and a zero-shot task on (shape, colour) combinations that
 * training never shows.
 */
export interface SyntheticShapesDataConfig {
  type: 'synthetic-shapes';
  /** Image side in pixels, 16 to 1024 (smaller cannot tell the shapes apart); must equal model.vision.imageSize. Default 32. */
  imageSize: number;
  /** Seed of the held-out evaluation images (training images follow train.seed, so runs with different train seeds are scored on the same images). Default 0. */
  seed: number;
  /** Images in the zero-shot evaluation, all of held-out combinations, classes in turn. Default 1000. */
  evalSize: number;
}

/** Fashion-MNIST idx files, as Debian's dataset-fashion-mnist installs them. */
export interface FashionMnistDataConfig {
  type: 'fashion-mnist';
  /** Folder of the four idx(.gz) files. Default "/usr/share/datasets/fashion-mnist". */
  path: string;
}

/** A folder of images with a CSV/TSV or JSONL file of (image path, caption), as open_clip's CSV datasets. */
export interface ImageTextDataConfig {
  type: 'image-text';
  /** Folder holding the images; image paths are relative to it and may not leave it. Required. */
  path: string;
  /** The CSV/TSV or JSONL file, relative to `path` or absolute. Required. */
  file: string;
  /** Column or key of the image path (open_clip's --csv-img-key). Default "filepath". */
  imageKey: string;
  /** Column or key of the caption (open_clip's --csv-caption-key). Default "title". */
  captionKey: string;
  /** Column separator of CSV files (open_clip's --csv-separator). Default "\t". */
  separator: string;
  /** A second CSV/TSV or JSONL file of the same form for the retrieval evaluation, relative to `path` or absolute; null: no retrieval evaluation. Default null. */
  evalFile: string | null;
}

export type DataConfig = SyntheticShapesDataConfig | FashionMnistDataConfig | ImageTextDataConfig;

export interface TrainConfig {
  /** Samples per optimiser step (split into accumulationSteps micro-batches). Default 64. */
  batchSize: number;
  /** Optimiser steps; null: epochs x steps per epoch. Default null. */
  steps: number | null;
  /** Passes over the data when steps is null. Default 1. */
  epochs: number;
  /** Peak learning rate. Default 5e-4. */
  lr: number;
  /** Learning-rate schedule: cosine decay after linear warmup, or constant after warmup. Default "cosine". */
  schedule: 'cosine' | 'constant';
  /** Linear warmup steps. Default 100. */
  warmupSteps: number;
  /** AdamW decoupled weight decay, applied to parameters with 2 or more dimensions. Default 0.2. */
  weightDecay: number;
  /** AdamW beta1. Default 0.9. */
  beta1: number;
  /** AdamW beta2. Default 0.98. */
  beta2: number;
  /** AdamW epsilon. Default 1e-6. */
  eps: number;
  /** Clip gradients to this global norm; null: no clipping. Default null. */
  gradClipNorm: number | null;
  /** Micro-batches per optimiser step. Default 1. */
  accumulationSteps: number;
  /** Seed of initialisation and data order. Default 0. */
  seed: number;
  /** Log every this many steps. Default 20. */
  logEvery: number;
  /** Evaluate every this many steps; null: only at the end. Default null. */
  evalEvery: number | null;
  /** Save a checkpoint every this many steps; null: only at the end. Default null. */
  checkpointEvery: number | null;
}

export interface ClipConfig {
  /** The two towers and the joint embedding. Also accepts an open_clip model config or a Hugging Face CLIP config.json. Required. */
  model: ModelConfig;
  /** Default { "type": "clip-bpe" }. */
  tokenizer: TokenizerConfig;
  /** Default { "type": "clip" }. */
  loss: LossConfig;
  /** Default { "type": "tfjs", "device": "auto" }. */
  backend: BackendConfig;
  /** Default { "type": "synthetic-shapes" }. */
  data: DataConfig;
  /** Optimiser, schedule and loop settings; every field has a default. */
  train: TrainConfig;
}
