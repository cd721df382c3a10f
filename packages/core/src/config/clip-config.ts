/**
 * The typed clipkit config. A JSON file maps one to one onto these interfaces (as open_clip's model
 * configs map onto its dataclasses). Core knows only the frame: which sections there are, the model's
 * joint embedding and logit parameters, and the training loop. Each component's section is declared by
 * the plug-in that implements it (its `schema`), chosen by the section's `type`, with its defaults
 * documented there; `parseClipConfig(json, plugins)` turns JSON into this shape or raises one ConfigError.
 */

/** A component's config section: an object told apart by `type`, the rest declared by the plug-in's schema. */
export interface PluginSection {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The image tower's section: every image tower says what image size it takes. */
export interface VisionSection extends PluginSection {
  /** Input side in pixels (square). */
  readonly imageSize: number;
}

/** The text tower's section: every text tower says its context length and vocabulary. */
export interface TextSection extends PluginSection {
  /** Tokens per text, special tokens included. */
  readonly contextLength: number;
  /** Token vocabulary size. */
  readonly vocabSize: number;
}

export interface ModelConfig {
  /** Dimension of the joint embedding space. Required. */
  embedDim: number;
  /**
   * Initial value of the learnable log logit scale t (similarities are multiplied by exp(t)); a pretrained
   * model's own value comes from its weights. Default ln(1 / 0.07) (CLIP); SigLIP uses ln(10).
   */
  logitScale: number;
  /** Initial value of the learnable logit bias (SigLIP: -10); null: the model has none (CLIP). Default null. */
  logitBias: number | null;
  /** Image tower, chosen by `type`. Required. */
  vision: VisionSection;
  /** Text tower, chosen by `type`. Required. */
  text: TextSection;
}

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
  /** The log logit scale is clamped to [0, maxLogitScale] after every step (open_clip's train loop). Default ln(100). */
  maxLogitScale: number;
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
  /**
   * A model to start from: a model folder, a checkpoint file or a hub name (what `--model` takes); its weights,
   * and unless the config sets them its model section, tokenizer, preprocessing and logit scale and bias. null:
   * random initialisation from `seed`. Default null.
   */
  init: string | null;
  /** Re-initialise this tower from `seed` instead of taking it from `init` (LiT trains a new text tower). Default null. */
  reinit: 'image' | 'text' | null;
  /** Towers to keep fixed, whole or all but their last layer groups (open_clip's --lock-image, --lock-text). */
  lock: TowerLocks;
  /** Also write the final model in this layout to `<run>/<layout>/` (e.g. back to the layout `init` came in). Default null. */
  exportLayout: 'huggingface' | 'open_clip' | null;
}

/** What `train.lock` keeps fixed; null: the tower trains. */
export interface TowerLocks {
  /** open_clip's --lock-image. Default null. */
  image: ImageLock | null;
  /** open_clip's --lock-text. Default null. */
  text: TextLock | null;
}

export interface ImageLock {
  /** The last this many layer groups stay trainable (open_clip's --lock-image-unlocked-groups). Default 0. */
  unlockedGroups: number;
  /** BatchNorm layers of the locked groups normalise with their running statistics and stop updating them (--lock-image-freeze-bn-stats). Default false. */
  freezeBatchNormStats: boolean;
}

export interface TextLock {
  /** The last this many layer groups stay trainable (open_clip's --lock-text-unlocked-layers). Default 0. */
  unlockedLayers: number;
}

/**
 * How an image becomes the model's input, in this order: resize, centre crop to model.vision.imageSize (zero
 * pixels fill what the image lacks, as torchvision's CenterCrop pads), bytes / 255, (x - mean) / std per channel.
 * Written into model folders as a transformers preprocessor_config.json.
 */
export interface PreprocessConfig {
  /**
   * "shortest": the shorter side becomes `size`, aspect ratio kept (CLIP, open_clip's "shortest"); "squash": the
   * image becomes size x size (SigLIP); "none": no resize. Pillow's bicubic. Default "shortest".
   */
  resizeMode: 'shortest' | 'squash' | 'none';
  /** Side in pixels the resize produces. Default model.vision.imageSize. */
  size: number;
  /** Per-channel (R, G, B) mean of the pixels in [0, 1]. Default OpenAI CLIP's. */
  mean: [number, number, number];
  /** Per-channel standard deviation. Default OpenAI CLIP's. */
  std: [number, number, number];
}

export interface ClipConfig {
  /**
   * npm packages that provide further plug-ins (e.g. "@someone/encoders-convnext"): the clipkit command
   * imports each and uses its `plugins` export. Package names only, never paths. Default [].
   */
  plugins: string[];
  /** The two towers, the joint embedding and the logit parameters. Also accepts an open_clip model config or a Hugging Face config.json. Required. */
  model: ModelConfig;
  /** Default { "type": "clip-bpe" }. */
  tokenizer: PluginSection;
  /** Default { "type": "clip" }. */
  loss: PluginSection;
  /** The runtime: `type` "tfjs" (training and inference) or "onnxruntime" (inference). Default { "type": "tfjs" }. */
  backend: PluginSection;
  /** Default { "type": "synthetic-shapes" }. */
  data: PluginSection;
  /**
   * The image transform; null: the dataset's own for training (Fashion-MNIST pads to 32 with its own mean and
   * std), OpenAI CLIP's for a model folder without one. A checkpoint records the transform it trained with. Default null.
   */
  preprocess: PreprocessConfig | null;
  /** Optimiser, schedule and loop settings; every field has a default. */
  train: TrainConfig;
}
