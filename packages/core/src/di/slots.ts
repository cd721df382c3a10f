import type { Backend } from '../components/backend.js';
import type { ContrastiveLoss } from '../components/contrastive-loss.js';
import type { ClipDataset } from '../components/dataset.js';
import type { ImageEncoder, TextEncoder, TrainableImageEncoder, TrainableTextEncoder } from '../components/encoders.js';
import type { Tokenizer } from '../components/tokenizer.js';
import type { ClipConfig, PluginSection } from '../config/clip-config.js';
import { type Token, token } from './token.js';

/** The config sections whose `type` chooses a plug-in. */
export type SectionPath = 'model.vision' | 'model.text' | 'tokenizer' | 'loss' | 'backend' | 'data';

/**
 * A place in a pipeline that one plug-in fills, and the config section whose `type` chooses it. Core
 * knows the slots, not the components: which types exist is whatever the given plug-ins declare.
 */
export interface Slot<T> {
  readonly name: string;
  readonly token: Token<T>;
  readonly section: SectionPath;
  /** The `type` a config without this section gets. */
  readonly defaultType?: string;
  /**
   * Inference slots of the towers: filled, for a runtime that has no plug-in of its own here, by the
   * trainable tfjs tower of the same type (a TrainableImageEncoder is an ImageEncoder).
   */
  readonly trainable?: Slot<T>;
}

/** A tfjs image tower: differentiable, with named weights. Tower packages fill this slot. */
export const TRAINABLE_IMAGE_ENCODER: Slot<TrainableImageEncoder> = { name: 'TRAINABLE_IMAGE_ENCODER', token: token('TRAINABLE_IMAGE_ENCODER'), section: 'model.vision' };

/** A tfjs text tower. */
export const TRAINABLE_TEXT_ENCODER: Slot<TrainableTextEncoder> = { name: 'TRAINABLE_TEXT_ENCODER', token: token('TRAINABLE_TEXT_ENCODER'), section: 'model.text' };

/** The image tower for inference on the pipeline's runtime (`backend.type`): an onnxruntime session, or the tfjs tower. */
export const IMAGE_ENCODER: Slot<ImageEncoder> = { name: 'IMAGE_ENCODER', token: token('IMAGE_ENCODER'), section: 'model.vision', trainable: TRAINABLE_IMAGE_ENCODER };

/** The text tower for inference on the pipeline's runtime. */
export const TEXT_ENCODER: Slot<TextEncoder> = { name: 'TEXT_ENCODER', token: token('TEXT_ENCODER'), section: 'model.text', trainable: TRAINABLE_TEXT_ENCODER };

export const TOKENIZER: Slot<Tokenizer> = { name: 'TOKENIZER', token: token('TOKENIZER'), section: 'tokenizer', defaultType: 'clip-bpe' };

export const LOSS: Slot<ContrastiveLoss> = { name: 'LOSS', token: token('LOSS'), section: 'loss', defaultType: 'clip' };

export const BACKEND: Slot<Backend> = { name: 'BACKEND', token: token('BACKEND'), section: 'backend', defaultType: 'tfjs' };

export const DATASET: Slot<ClipDataset> = { name: 'DATASET', token: token('DATASET'), section: 'data', defaultType: 'synthetic-shapes' };

/** Every slot, in the order pipelines resolve them. */
export const SLOTS: readonly Slot<unknown>[] = [BACKEND, TOKENIZER, TRAINABLE_IMAGE_ENCODER, TRAINABLE_TEXT_ENCODER, IMAGE_ENCODER, TEXT_ENCODER, LOSS, DATASET];

/** The section a slot's type is read from. */
export function sectionOf(config: ClipConfig, path: SectionPath): PluginSection {
  return path === 'model.vision' ? config.model.vision : path === 'model.text' ? config.model.text : config[path];
}
