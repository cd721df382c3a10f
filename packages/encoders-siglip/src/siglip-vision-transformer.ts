import { ClipkitError, type SeededRandom, type TrainableImageEncoder } from '@clipkit/core';
import { Layer, LayerNorm } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { AttentionPoolingHead } from './attention-pooling-head.js';
import { SiglipEncoder } from './siglip-encoder.js';
import { SiglipVisionEmbeddings } from './siglip-vision-embeddings.js';
import type { SiglipVisionConfig } from './siglip-vision-schema.js';

/**
 * transformers' SiglipVisionTransformer (modeling_siglip.py): patch and position embeddings (no class token,
 * no pre-LayerNorm), the pre-LN encoder, post_layernorm, and the attention pooling head, whose output is the
 * image embedding (get_image_features: no projection, so embedDim is the width). State-dict names are
 * transformers' below `vision_model.`.
 *
 * Images must have the configured size: the learned positions are not interpolated for other sizes
 * (transformers' interpolate_pos_encoding is not implemented).
 */
export class SiglipVisionTransformer extends Layer implements TrainableImageEncoder {
  readonly imageSize: number;
  /** Patches per side: floor(imageSize / patchSize). */
  readonly grid: number;
  readonly embeddings: SiglipVisionEmbeddings;
  readonly encoder: SiglipEncoder;
  readonly postLayernorm: LayerNorm;
  readonly head: AttentionPoolingHead;

  constructor(
    readonly config: SiglipVisionConfig,
    readonly embedDim: number,
    rng: SeededRandom,
  ) {
    super();
    const { imageSize, patchSize, width, heads, mlpWidth, layerNormEps, activation } = config;
    if (embedDim !== width) {
      throw new ClipkitError(
        `SiglipVisionTransformer: model.embedDim ${embedDim} is not model.vision.width ${width}; SigLIP's image embedding is its pooling head's output (no projection): set embedDim to ${width}`,
      );
    }
    if (patchSize > imageSize) throw new ClipkitError(`SiglipVisionTransformer: patchSize ${patchSize} exceeds imageSize ${imageSize}; choose a patch no larger than the image`);
    this.imageSize = imageSize;
    this.grid = Math.floor(imageSize / patchSize);
    this.embeddings = this.addChild('embeddings', new SiglipVisionEmbeddings(width, patchSize, this.grid ** 2, rng));
    this.encoder = this.addChild('encoder', new SiglipEncoder(config, rng));
    this.postLayernorm = this.addChild('post_layernorm', new LayerNorm(width, layerNormEps));
    this.head = this.addChild('head', new AttentionPoolingHead(width, heads, mlpWidth, layerNormEps, activation, rng));
  }

  /** Pixels [N, 3, S, S] -> patch plus position embeddings [N, grid^2, width], the encoder's input. */
  embed(pixelValues: tf.Tensor4D): tf.Tensor3D {
    const [, C, H, W] = pixelValues.shape;
    if (C !== 3 || H !== this.imageSize || W !== this.imageSize) {
      throw new ClipkitError(
        `SiglipVisionTransformer: pixel values have shape [${pixelValues.shape.join(', ')}], expected [N, 3, ${this.imageSize}, ${this.imageSize}]; resize the images to the model's image size`,
      );
    }
    return tf.tidy(() => {
      // nn.Conv2d's "valid" padding: rows and columns past the last whole patch are not seen (so400m: 384 px in 14 px patches).
      const seen = this.grid * this.config.patchSize;
      const cropped = seen === this.imageSize ? pixelValues : tf.slice(pixelValues, [0, 0, 0, 0], [-1, 3, seen, seen]);
      return this.embeddings.apply(cropped);
    });
  }

  /** Pixels [N, 3, S, S] -> every token after the encoder and post_layernorm [N, grid^2, width] (last_hidden_state). */
  tokens(pixelValues: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => this.postLayernorm.apply(this.encoder.apply(this.embed(pixelValues))));
  }

  /** Pixels [N, 3, S, S] -> image features [N, width]. `_training` is unused: the tower has no dropout or batch statistics. */
  forward(pixelValues: tf.Tensor4D, _training: boolean): tf.Tensor2D {
    return tf.tidy(() => this.head.apply(this.tokens(pixelValues)));
  }

  encode(pixelValues: tf.Tensor4D): Promise<tf.Tensor2D> {
    return Promise.resolve(tf.tidy(() => this.forward(pixelValues, false)));
  }
}
