import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { Module } from './module.js';

/**
 * The inference boundary of an image tower. A tfjs tower and an onnxruntime session both implement it,
 * so pipelines do not care which runtime computes the embeddings.
 */
export interface ImageEncoder {
  /** Input side in pixels (square). */
  readonly imageSize: number;
  /** Width of the embeddings. */
  readonly embedDim: number;
  /** CLIP-normalised pixel values [N, 3, H, W] -> unnormalised embeddings [N, embedDim]; eval mode, no gradients. */
  encode(pixelValues: Tensor4D): Promise<Tensor2D>;
  dispose(): void;
}

/** The inference boundary of a text tower. */
export interface TextEncoder {
  /** Tokens per text. */
  readonly contextLength: number;
  /** Width of the embeddings. */
  readonly embedDim: number;
  /** Token ids [N, contextLength] (int32) -> unnormalised embeddings [N, embedDim]; no gradients. */
  encode(inputIds: Tensor2D): Promise<Tensor2D>;
  dispose(): void;
}

/**
 * Optional on trainable towers: their parameters in open_clip's layer groups, so training can lock all but
 * the last few (`train.lock.image.unlockedGroups`, `train.lock.text.unlockedLayers`). A tower without it can
 * still be locked whole.
 */
export interface LayerGroups {
  /**
   * The state-dict names of the tower's variables, partitioned into groups from input to output as open_clip's
   * `layer_groups()` partitions them (e.g. a ViT: the embeddings, one group per block, the last with ln_post,
   * then the projection).
   */
  layerGroups(): readonly (readonly string[])[];
  /**
   * Makes the BatchNorm layers of the first `groups` groups normalise with their running statistics, also in
   * training, and stop updating them (open_clip's freeze_bn_stats). Towers without BatchNorm omit it.
   */
  freezeBatchNormStats?(groups: number): void;
}

/** An image tower written in tfjs: differentiable, with named weights. */
export interface TrainableImageEncoder extends ImageEncoder, Module, Partial<LayerGroups> {
  /** Differentiable forward. `training` selects batch statistics in BatchNorm and updates the running ones. */
  forward(pixelValues: Tensor4D, training: boolean): Tensor2D;
}

/** A text tower written in tfjs: differentiable, with named weights. */
export interface TrainableTextEncoder extends TextEncoder, Module, Partial<LayerGroups> {
  /** Differentiable forward over int32 token ids [N, contextLength]. */
  forward(inputIds: Tensor2D, training: boolean): Tensor2D;
}
