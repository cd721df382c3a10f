import type { BackendType, ClipConfig } from '../config/clip-config.js';
import type { Backend } from '../components/backend.js';
import type { ContrastiveLoss } from '../components/contrastive-loss.js';
import type { ClipDataset } from '../components/dataset.js';
import type { ImageEncoder, TextEncoder } from '../components/encoders.js';
import type { Tokenizer } from '../components/tokenizer.js';
import { type Token, token } from './token.js';

/**
 * A place in a pipeline that one plug-in fills: which config field chooses the plug-in, and which npm
 * package provides each known choice (for the "install X" error).
 */
export interface Slot<T> {
  readonly name: string;
  readonly token: Token<T>;
  /** JSON path of the config field whose value picks the plug-in. */
  readonly typePath: string;
  typeOf(config: ClipConfig): string;
  /** Towers have one implementation per runtime (tfjs, onnxruntime); the plug-in's `runtime` must match `backend.type`. */
  readonly perRuntime: boolean;
  /** The package providing `type` on `runtime`, when clipkit knows one. */
  packageFor(type: string, runtime: BackendType): string | undefined;
}

const ONNX_PACKAGE = '@clipkit/backend-onnxruntime';

export const IMAGE_ENCODER: Slot<ImageEncoder> = {
  name: 'IMAGE_ENCODER',
  token: token<ImageEncoder>('IMAGE_ENCODER'),
  typePath: 'model.vision.type',
  typeOf: (c) => c.model.vision.type,
  perRuntime: true,
  packageFor: (type, runtime) =>
    runtime === 'onnxruntime' ? ONNX_PACKAGE : ({ vit: '@clipkit/encoders-vit', resnet: '@clipkit/encoders-resnet' } as Record<string, string>)[type],
};

export const TEXT_ENCODER: Slot<TextEncoder> = {
  name: 'TEXT_ENCODER',
  token: token<TextEncoder>('TEXT_ENCODER'),
  typePath: 'model.text.type',
  typeOf: (c) => c.model.text.type,
  perRuntime: true,
  packageFor: (type, runtime) => (runtime === 'onnxruntime' ? ONNX_PACKAGE : type === 'transformer' ? '@clipkit/text-transformer' : undefined),
};

export const TOKENIZER: Slot<Tokenizer> = {
  name: 'TOKENIZER',
  token: token<Tokenizer>('TOKENIZER'),
  typePath: 'tokenizer.type',
  typeOf: (c) => c.tokenizer.type,
  perRuntime: false,
  packageFor: (type) => (type === 'clip-bpe' ? '@clipkit/text-transformer' : undefined),
};

export const LOSS: Slot<ContrastiveLoss> = {
  name: 'LOSS',
  token: token<ContrastiveLoss>('LOSS'),
  typePath: 'loss.type',
  typeOf: (c) => c.loss.type,
  perRuntime: false,
  packageFor: (type) => (type === 'clip' || type === 'siglip' ? '@clipkit/losses' : undefined),
};

export const BACKEND: Slot<Backend> = {
  name: 'BACKEND',
  token: token<Backend>('BACKEND'),
  typePath: 'backend.type',
  typeOf: (c) => c.backend.type,
  perRuntime: false,
  packageFor: (type) => (({ tfjs: '@clipkit/backend-tfjs', onnxruntime: ONNX_PACKAGE }) as Record<string, string>)[type],
};

export const DATASET: Slot<ClipDataset> = {
  name: 'DATASET',
  token: token<ClipDataset>('DATASET'),
  typePath: 'data.type',
  typeOf: (c) => c.data.type,
  perRuntime: false,
  packageFor: (type) => (['synthetic-shapes', 'fashion-mnist', 'image-text'].includes(type) ? '@clipkit/datasets' : undefined),
};

/** Every slot, in the order pipelines resolve them. */
export const SLOTS: readonly Slot<unknown>[] = [BACKEND, TOKENIZER, IMAGE_ENCODER, TEXT_ENCODER, LOSS, DATASET];
