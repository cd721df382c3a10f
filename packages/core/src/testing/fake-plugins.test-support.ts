// Test-only (excluded from the build): small plug-ins of every slot, written the way a third-party package
// writes them (a zod schema per section, tower formats with checkpoint storage), so core's tests exercise the
// contract without the real tower packages, which core may not depend on.
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Backend } from '../components/backend.js';
import type { ContrastiveLoss } from '../components/contrastive-loss.js';
import type { ImageEncoder, TextEncoder, TrainableImageEncoder, TrainableTextEncoder } from '../components/encoders.js';
import type { Tokenizer } from '../components/tokenizer.js';
import type { HfStorage } from '../components/tower-formats.js';
import type { TextSection, VisionSection } from '../config/clip-config.js';
import { type AnyClipPlugin, definePlugin } from '../di/plugin.js';
import { BACKEND, IMAGE_ENCODER, LOSS, TEXT_ENCODER, TOKENIZER, TRAINABLE_IMAGE_ENCODER, TRAINABLE_TEXT_ENCODER } from '../di/slots.js';
import type { ConfigProblem } from '../errors.js';
import { SeededRandom } from '../random/seeded-random.js';

const activation = () => z.enum(['quick_gelu', 'gelu']).default('quick_gelu').describe('MLP activation. Default "quick_gelu".');

export const fakeVitSchema = z
  .strictObject({
    type: z.literal('vit'),
    imageSize: z.int().min(8).max(1024).default(32).describe('Input side in pixels (square). Default 32.'),
    patchSize: z.int().min(1).max(1024).default(8).describe('Patch side in pixels; must divide imageSize. Default 8.'),
    width: z.int().min(1).max(8192).default(8).describe('Channels per token. Default 8.'),
    heads: z.int().min(1).max(256).nullable().default(null).describe('Attention heads; null: width / 4. Default null.'),
    activation: activation(),
  })
  .superRefine((v, ctx) => {
    if (v.imageSize % v.patchSize !== 0) ctx.addIssue({ code: 'custom', path: ['patchSize'], message: `must divide imageSize (${v.imageSize})`, input: v.patchSize });
  })
  // A default derived from another field, as real towers derive heads from the width.
  .transform((v) => ({ ...v, heads: v.heads ?? Math.max(1, v.width / 4) }));
export type FakeVitConfig = z.output<typeof fakeVitSchema>;

const fakeResNetSchema = z.strictObject({
  type: z.literal('resnet'),
  imageSize: z.int().min(32).max(1024).default(32).describe('Input side in pixels (square). Default 32.'),
  layers: z
    .tuple([z.int().min(1), z.int().min(1), z.int().min(1), z.int().min(1)])
    .default([1, 1, 1, 1])
    .describe('Blocks per stage. Default [1, 1, 1, 1].'),
  width: z.int().min(1).max(8192).default(8).describe('Stem width. Default 8.'),
});
export type FakeResNetConfig = z.output<typeof fakeResNetSchema>;

const fakeTextSchema = z
  .strictObject({
    type: z.literal('transformer'),
    contextLength: z.int().min(2).max(1024).default(8).describe('Tokens per text. Default 8.'),
    vocabSize: z.int().min(1).max(1_000_000).default(10).describe('Vocabulary size. Default 10.'),
    width: z.int().min(1).max(8192).default(8).describe('Transformer width. Default 8.'),
    heads: z.int().min(1).max(256).default(2).describe('Attention heads; must divide width. Default 2.'),
    activation: activation(),
  })
  .superRefine((v, ctx) => {
    if (v.width % v.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `must divide width (${v.width})`, input: v.heads });
  });
export type FakeTextConfig = z.output<typeof fakeTextSchema>;

const fakeTokenizerSchema = z.strictObject({
  type: z.literal('clip-bpe'),
  path: z.string().min(1).nullable().default(null).describe('Vocabulary file or folder; null: the bundled one. Default null.'),
});

const threads = () => z.int().min(1).max(1024).nullable().default(null).describe('Threads; null: all cores. Default null.');
const fakeTfjsSchema = z.strictObject({
  type: z.literal('tfjs'),
  device: z.enum(['auto', 'cpu', 'wasm']).default('auto').describe('The tfjs backend. Default "auto".'),
  threads: threads(),
});
const fakeOnnxSchema = z.strictObject({ type: z.literal('onnxruntime'), threads: threads() });

const fakeClipLossSchema = z.strictObject({ type: z.literal('clip') });
const fakeSigLipLossSchema = z.strictObject({
  type: z.literal('siglip'),
  chunkSize: z.int().min(1).nullable().default(null).describe('Rows per chunk; null: whole. Default null.'),
});

/**
 * An image tower with state named and shaped like a ViT's parts that checkpoints store differently: a
 * patch convolution, a packed q/k/v projection and an [in, out] output projection. Its embedding is the
 * per-channel mean of the pixels through `proj`'s first three rows (enough for a forward with gradients).
 */
export class FakeImageTower implements TrainableImageEncoder {
  readonly imageSize: number;
  disposed = false;
  private readonly state: Map<string, tf.Variable>;

  constructor(
    readonly section: FakeVitConfig | FakeResNetConfig,
    readonly embedDim: number,
    seed: number,
  ) {
    this.imageSize = section.imageSize;
    const width = Math.max(3, section.width);
    const patch = section.type === 'vit' ? section.patchSize : 1;
    this.state = randomState(new SeededRandom(seed).fork('vision'), [
      ['conv1.weight', [width, 3, patch, patch]],
      ['attn.in_proj_weight', [3 * width, width]],
      ['attn.in_proj_bias', [3 * width]],
      ['proj', [width, embedDim]],
    ]);
  }

  forward(pixelValues: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(tf.mean(pixelValues, [2, 3]) as tf.Tensor2D, tf.slice(this.state.get('proj')!, [0, 0], [3, -1])));
  }

  async encode(pixelValues: tf.Tensor4D): Promise<tf.Tensor2D> {
    return this.forward(pixelValues);
  }

  stateDict(): Map<string, tf.Variable> {
    return new Map(this.state);
  }

  dispose(): void {
    this.disposed = true;
    for (const v of this.state.values()) v.dispose();
  }
}

/** A text tower: token embeddings, mean-pooled, through an [in, out] projection. */
export class FakeTextTower implements TrainableTextEncoder {
  readonly contextLength: number;
  disposed = false;
  private readonly state: Map<string, tf.Variable>;

  constructor(
    readonly section: FakeTextConfig,
    readonly embedDim: number,
    seed: number,
  ) {
    this.contextLength = section.contextLength;
    this.state = randomState(new SeededRandom(seed).fork('text'), [
      ['token_embedding.weight', [section.vocabSize, section.width]],
      ['text_projection', [section.width, embedDim]],
    ]);
  }

  forward(inputIds: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(tf.mean(tf.gather(this.state.get('token_embedding.weight')!, inputIds), 1) as tf.Tensor2D, this.state.get('text_projection')!));
  }

  async encode(inputIds: tf.Tensor2D): Promise<tf.Tensor2D> {
    return this.forward(inputIds);
  }

  stateDict(): Map<string, tf.Variable> {
    return new Map(this.state);
  }

  dispose(): void {
    this.disposed = true;
    for (const v of this.state.values()) v.dispose();
  }
}

function randomState(rng: SeededRandom, shapes: [string, number[]][]): Map<string, tf.Variable> {
  const state = new Map<string, tf.Variable>();
  for (const [name, shape] of shapes) {
    const initial = tf.tensor(rng.normalArray(shape.reduce((n, d) => n * d, 1)), shape);
    state.set(name, tf.variable(initial));
    initial.dispose();
  }
  return state;
}

/** Reads a JSON number field into a section field, or reports it. */
function copyNumbers(cfg: Readonly<Record<string, unknown>>, keys: Readonly<Record<string, string>>, problems: ConfigProblem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cfg)) {
    if (!(key in keys)) problems.push({ path: key, message: 'is not implemented by the fake tower' });
    else if (typeof value !== 'number') problems.push({ path: key, message: 'must be a number', value });
    else out[keys[key]] = value;
  }
  return out;
}

const invert = (keys: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(keys).map(([k, v]) => [v, k]));
const VIT_OPEN_CLIP_KEYS = { image_size: 'imageSize', patch_size: 'patchSize', width: 'width', heads: 'heads' };
const TEXT_OPEN_CLIP_KEYS = { context_length: 'contextLength', vocab_size: 'vocabSize', width: 'width', heads: 'heads' };
const VIT_HF_KEYS = { image_size: 'imageSize', patch_size: 'patchSize', hidden_size: 'width', num_attention_heads: 'heads' };
const TEXT_HF_KEYS = { max_position_embeddings: 'contextLength', vocab_size: 'vocabSize', hidden_size: 'width', num_attention_heads: 'heads' };
const HF_ACTIVATIONS = new Set(['quick_gelu', 'gelu']);

/** The numeric fields of a section under the format's key names. */
function writeNumbers(section: Readonly<Record<string, unknown>>, keys: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(invert(keys)).map(([field, key]) => [key, section[field]]));
}

/** The Hugging Face sub-config without hidden_act, read into a section. */
function readHfSub(sub: Readonly<Record<string, unknown>>, keys: Readonly<Record<string, string>>, problems: ConfigProblem[]): Record<string, unknown> {
  const { hidden_act: act = 'quick_gelu', ...numbers } = sub;
  if (typeof act !== 'string' || !HF_ACTIVATIONS.has(act)) problems.push({ path: 'hidden_act', message: 'must be "quick_gelu" or "gelu"', value: act });
  return { ...copyNumbers(numbers, keys, problems), activation: act };
}

/** Where the fake image tower's state lives in a transformers-style checkpoint. */
function fakeVisionStorage(name: string): HfStorage | undefined {
  const qkv = (kind: string) => ['q', 'k', 'v'].map((p) => `vision_model.attn.${p}_proj.${kind}`) as [string, string, string];
  switch (name) {
    case 'conv1.weight':
      return { kind: 'rename', name: 'vision_model.patch_embedding.weight' };
    case 'attn.in_proj_weight':
      return { kind: 'split-qkv', names: qkv('weight') };
    case 'attn.in_proj_bias':
      return { kind: 'split-qkv', names: qkv('bias') };
    case 'proj':
      return { kind: 'transpose', name: 'visual_projection.weight' };
    default:
      return undefined;
  }
}

function fakeTextStorage(name: string): HfStorage | undefined {
  if (name === 'token_embedding.weight') return { kind: 'rename', name: 'text_model.token_embedding.weight' };
  if (name === 'text_projection') return { kind: 'transpose', name: 'text_projection.weight' };
  return undefined;
}

const towerSeed = (context: { config: { train: { seed: number } } }) => context.config.train.seed;

export const fakeVitPlugin = definePlugin<TrainableImageEncoder, FakeVitConfig>({
  slot: TRAINABLE_IMAGE_ENCODER,
  type: 'vit',
  schema: fakeVitSchema,
  formats: {
    openClip: {
      read: (cfg, model, problems) => {
        if (Array.isArray(cfg.layers)) return undefined; // open_clip's ModifiedResNet
        return { type: 'vit', ...copyNumbers(cfg, VIT_OPEN_CLIP_KEYS, problems), activation: model.quickGelu ? 'quick_gelu' : 'gelu' };
      },
      write: (section) => ({ cfg: writeNumbers(section, VIT_OPEN_CLIP_KEYS), quickGelu: section.activation === 'quick_gelu' }),
    },
    huggingface: {
      modelType: 'clip',
      architecture: 'CLIPModel',
      read: (sub, _whole, problems) => ({ section: { type: 'vit', ...readHfSub(sub, VIT_HF_KEYS, problems) } }),
      write: (section, embedDim) => ({ sub: { ...writeNumbers(section, VIT_HF_KEYS), hidden_act: section.activation }, top: { projection_dim: embedDim } }),
      hasLogitBias: false,
      storage: fakeVisionStorage,
    },
  },
  create: (section, context) => new FakeImageTower(section, context.config.model.embedDim, towerSeed(context)),
});

const fakeResNetPlugin = definePlugin<TrainableImageEncoder, FakeResNetConfig>({
  slot: TRAINABLE_IMAGE_ENCODER,
  type: 'resnet',
  schema: fakeResNetSchema,
  formats: {
    openClip: {
      read: (cfg, _model, problems) => {
        if (!Array.isArray(cfg.layers)) return undefined;
        const { layers, ...rest } = cfg;
        return { type: 'resnet', layers, ...copyNumbers(rest, { image_size: 'imageSize', width: 'width' }, problems) };
      },
      write: (section) => ({ cfg: { image_size: section.imageSize, layers: section.layers, width: section.width } }),
    },
  },
  create: (section, context) => new FakeImageTower(section, context.config.model.embedDim, towerSeed(context)),
});

export const fakeTextPlugin = definePlugin<TrainableTextEncoder, FakeTextConfig>({
  slot: TRAINABLE_TEXT_ENCODER,
  type: 'transformer',
  schema: fakeTextSchema,
  formats: {
    openClip: {
      read: (cfg, model, problems) => ({ type: 'transformer', ...copyNumbers(cfg, TEXT_OPEN_CLIP_KEYS, problems), activation: model.quickGelu ? 'quick_gelu' : 'gelu' }),
      write: (section) => ({ cfg: writeNumbers(section, TEXT_OPEN_CLIP_KEYS), quickGelu: section.activation === 'quick_gelu' }),
    },
    huggingface: {
      modelType: 'clip',
      architecture: 'CLIPModel',
      read: (sub, whole, problems) => {
        const section = { type: 'transformer', ...readHfSub(sub, TEXT_HF_KEYS, problems) };
        return { section, ...(typeof whole.projection_dim === 'number' ? { embedDim: whole.projection_dim } : {}) };
      },
      write: (section, embedDim) => ({ sub: { ...writeNumbers(section, TEXT_HF_KEYS), hidden_act: section.activation }, top: { projection_dim: embedDim } }),
      tokenizer: 'clip-bpe',
      storage: fakeTextStorage,
    },
  },
  create: (section, context) => new FakeTextTower(section, context.config.model.embedDim, towerSeed(context)),
});

/** A tokenizer of one token per character code (mod the vocabulary), with start 1 and end 2. */
export class FakeTokenizer implements Tokenizer {
  readonly startOfTextId = 1;
  readonly endOfTextId = 2;
  constructor(readonly vocabSize: number) {}
  encode(text: string): number[] {
    return [...text].map((c) => 3 + (c.charCodeAt(0) % (this.vocabSize - 3)));
  }
  decode(ids: ArrayLike<number>): string {
    return Array.from(ids).join(' ');
  }
  tokenize(texts: readonly string[], options: { contextLength?: number } = {}): Int32Array {
    const context = options.contextLength ?? 8;
    const out = new Int32Array(texts.length * context);
    for (const [i, text] of texts.entries()) out.set([this.startOfTextId, ...this.encode(text)].slice(0, context - 1).concat(this.endOfTextId), i * context);
    return out;
  }
}

export const fakeTokenizerPlugin = definePlugin<Tokenizer, z.output<typeof fakeTokenizerSchema>>({
  slot: TOKENIZER,
  type: 'clip-bpe',
  schema: fakeTokenizerSchema,
  create: (_section, context) => new FakeTokenizer(context.config.model.text.vocabSize),
});

/** A backend that initialises nothing (the tests set tfjs's cpu backend themselves). */
export const fakeTfjsPlugin = definePlugin<Backend, z.output<typeof fakeTfjsSchema>>({
  slot: BACKEND,
  type: 'tfjs',
  schema: fakeTfjsSchema,
  create: (section) => ({ type: 'tfjs', init: async () => `${section.device} (fake)` }),
});

const fakeOnnxBackendPlugin = definePlugin<Backend, z.output<typeof fakeOnnxSchema>>({
  slot: BACKEND,
  type: 'onnxruntime',
  schema: fakeOnnxSchema,
  create: () => ({ type: 'onnxruntime', init: async () => 'onnxruntime (fake)' }),
});

/** An inference tower of another runtime: runs whatever tower type was exported (`type: "*"`). */
export class FakeOnnxImageEncoder implements ImageEncoder {
  readonly embedDim: number;
  readonly imageSize: number;
  constructor(
    section: { imageSize: number },
    embedDim: number,
    readonly modelDir: string | undefined,
  ) {
    this.imageSize = section.imageSize;
    this.embedDim = embedDim;
  }
  async encode(pixelValues: tf.Tensor4D): Promise<tf.Tensor2D> {
    return tf.zeros([pixelValues.shape[0], this.embedDim]);
  }
  dispose(): void {}
}

export const fakeOnnxImagePlugin = definePlugin<ImageEncoder, VisionSection>({
  slot: IMAGE_ENCODER,
  type: '*',
  runtime: 'onnxruntime',
  create: (section, context) => new FakeOnnxImageEncoder(section, context.config.model.embedDim, context.modelDir),
});

/** The text tower of another runtime. */
class FakeOnnxTextEncoder implements TextEncoder {
  constructor(
    readonly contextLength: number,
    readonly embedDim: number,
  ) {}
  async encode(inputIds: tf.Tensor2D): Promise<tf.Tensor2D> {
    return tf.zeros([inputIds.shape[0], this.embedDim]);
  }
  dispose(): void {}
}

export const fakeOnnxTextPlugin = definePlugin<TextEncoder, TextSection>({
  slot: TEXT_ENCODER,
  type: '*',
  runtime: 'onnxruntime',
  create: (section, context) => new FakeOnnxTextEncoder(section.contextLength, context.config.model.embedDim),
});

/** CLIP's softmax loss written out with tfjs ops (the real one lives in @clipkit/losses). */
export class FakeSoftmaxLoss implements ContrastiveLoss {
  readonly type = 'clip';
  readonly needsBias = false;
  compute(image: tf.Tensor2D, text: tf.Tensor2D, logitScale: tf.Scalar): tf.Scalar {
    return tf.tidy(() => {
      const logits = tf.mul(tf.matMul(image, tf.transpose(text)), logitScale); // [B, B]
      const labels = tf.eye(image.shape[0]); // row i's class is column i
      return tf.div(tf.add(tf.losses.softmaxCrossEntropy(labels, logits), tf.losses.softmaxCrossEntropy(labels, tf.transpose(logits))), 2) as tf.Scalar;
    });
  }
}

/** SigLIP's sigmoid loss written out: -sum(log sigmoid(Y (s I T^T + b))) / B, Y = 2 eye - 1. */
export class FakeSigmoidLoss implements ContrastiveLoss {
  readonly type = 'siglip';
  readonly needsBias = true;
  compute(image: tf.Tensor2D, text: tf.Tensor2D, logitScale: tf.Scalar, logitBias: tf.Scalar | null): tf.Scalar {
    return tf.tidy(() => {
      const batch = image.shape[0];
      const logits = tf.add(tf.mul(tf.matMul(image, tf.transpose(text)), logitScale), logitBias ?? 0); // [B, B]
      const labels = tf.sub(tf.mul(tf.eye(batch), 2), 1);
      // log sigmoid(z) = -softplus(-z): tf.logSigmoid's own gradient reads a tensor its tidy already freed.
      return tf.div(tf.sum(tf.softplus(tf.neg(tf.mul(labels, logits)))), batch) as tf.Scalar;
    });
  }
}

export const fakeClipLossPlugin = definePlugin<ContrastiveLoss, z.output<typeof fakeClipLossSchema>>({
  slot: LOSS,
  type: 'clip',
  schema: fakeClipLossSchema,
  create: () => new FakeSoftmaxLoss(),
});

const fakeSigLipLossPlugin = definePlugin<ContrastiveLoss, z.output<typeof fakeSigLipLossSchema>>({
  slot: LOSS,
  type: 'siglip',
  schema: fakeSigLipLossSchema,
  create: () => new FakeSigmoidLoss(),
});

/** Every fake plug-in: what `defaultPlugins()` is to a real app. */
export const fakePlugins: readonly AnyClipPlugin[] = [
  fakeTfjsPlugin,
  fakeOnnxBackendPlugin,
  fakeTokenizerPlugin,
  fakeVitPlugin,
  fakeResNetPlugin,
  fakeTextPlugin,
  fakeOnnxImagePlugin,
  fakeOnnxTextPlugin,
  fakeClipLossPlugin,
  fakeSigLipLossPlugin,
];

/** A small valid model section for the fakes. */
export const TINY_MODEL = {
  embedDim: 4,
  vision: { type: 'vit', imageSize: 16, patchSize: 4, width: 8 },
  text: { type: 'transformer', vocabSize: 20, width: 8, heads: 2 },
} as const;
