import { ClipkitError, type SeededRandom, type TrainableImageEncoder } from '@clipkit/core';
import { Layer, LayerNorm, project, Transformer } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { PatchEmbedding } from './patch-embedding.js';
import type { VitConfig } from './vit-schema.js';

/**
 * OpenAI CLIP's VisionTransformer (clip/model.py): patch embedding, class token, learned positions,
 * ln_pre, transformer, ln_post on the class token, projection `proj` [width, embedDim] without bias.
 * State-dict names are OpenAI's without the `visual.` prefix.
 */
export class VisionTransformer extends Layer implements TrainableImageEncoder {
  readonly imageSize: number;
  readonly classEmbedding: tf.Variable<tf.Rank.R1>;
  readonly positionalEmbedding: tf.Variable<tf.Rank.R2>;
  readonly proj: tf.Variable<tf.Rank.R2>;
  readonly conv1: PatchEmbedding;
  readonly lnPre: LayerNorm;
  readonly transformer: Transformer;
  readonly lnPost: LayerNorm;

  constructor(
    readonly config: VitConfig,
    readonly embedDim: number,
    rng: SeededRandom,
  ) {
    super();
    const { imageSize, patchSize, width } = config;
    if (imageSize % patchSize !== 0)
      throw new ClipkitError(`VisionTransformer: patchSize ${patchSize} does not divide imageSize ${imageSize}; choose a patch size that divides the image size`);
    this.imageSize = imageSize;
    const tokens = (imageSize / patchSize) ** 2 + 1;
    // VisionTransformer.__init__: scale * randn for the class token, positions and projection.
    const scale = width ** -0.5;
    this.classEmbedding = this.addVariable('class_embedding', tf.tensor1d(rng.normalArray(width, scale)));
    this.positionalEmbedding = this.addVariable('positional_embedding', tf.tensor2d(rng.normalArray(tokens * width, scale), [tokens, width]));
    this.proj = this.addVariable('proj', tf.tensor2d(rng.normalArray(width * embedDim, scale), [width, embedDim]));
    this.conv1 = this.addChild('conv1', new PatchEmbedding(width, patchSize, rng));
    this.lnPre = this.addChild('ln_pre', new LayerNorm(width, config.layerNormEps));
    // No init override: OpenAI's CLIP.initialize_parameters touches only the text transformer.
    this.transformer = this.addChild(
      'transformer',
      new Transformer(width, config.layers, config.heads, rng, { mlpWidth: config.mlpWidth, activation: config.activation, layerNormEps: config.layerNormEps }),
    );
    this.lnPost = this.addChild('ln_post', new LayerNorm(width, config.layerNormEps));
  }

  /** Pixels [N, 3, S, S] -> class token and patch embeddings plus positions [N, 1 + (S/p)^2, width] (before ln_pre). */
  embed(pixelValues: tf.Tensor4D): tf.Tensor3D {
    const [N, C, H, W] = pixelValues.shape;
    if (C !== 3 || H !== this.imageSize || W !== this.imageSize) {
      throw new ClipkitError(
        `VisionTransformer: pixel values have shape [${pixelValues.shape.join(', ')}], expected [N, 3, ${this.imageSize}, ${this.imageSize}]; resize the images to the model's image size`,
      );
    }
    return tf.tidy(() => {
      const width = this.config.width;
      const patches = this.conv1.apply(pixelValues); // [N, g*g, width]
      const classToken = tf.broadcastTo(tf.reshape(this.classEmbedding, [1, 1, width]), [N, 1, width]); // [N, 1, width]
      return tf.add(tf.concat([classToken, patches], 1), this.positionalEmbedding) as tf.Tensor3D; // [N, L, width]
    });
  }

  /** Pixels [N, 3, S, S] -> image features [N, embedDim]. `_training` is unused: the tower has no dropout or batch statistics. */
  forward(pixelValues: tf.Tensor4D, _training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const hidden = this.transformer.apply(this.lnPre.apply(this.embed(pixelValues))); // [N, L, width]
      const [N, , width] = hidden.shape;
      const classToken = this.lnPost.apply(tf.reshape<tf.Rank.R2>(tf.slice(hidden, [0, 0, 0], [N, 1, width]), [N, width])); // [N, width]
      return project(classToken, this.proj); // [N, embedDim]
    });
  }

  encode(pixelValues: tf.Tensor4D): Promise<tf.Tensor2D> {
    return Promise.resolve(tf.tidy(() => this.forward(pixelValues, false)));
  }

  /**
   * open_clip's VisionTransformer.layer_groups: the embeddings (conv1, class and positional embeddings, ln_pre),
   * one group per block (the last with ln_post), then the projection; `layers + 2` groups.
   */
  layerGroups(): string[][] {
    const { layers } = this.config;
    const groups: string[][] = Array.from({ length: layers + 2 }, () => []);
    for (const name of this.stateDict().keys()) {
      const block = /^transformer\.resblocks\.(\d+)\./.exec(name);
      const group = block ? 1 + Number(block[1]) : name.startsWith('ln_post.') ? layers : name === 'proj' ? layers + 1 : 0;
      groups[group].push(name);
    }
    return groups;
  }
}
