import { ClipkitError } from '@clipkit/core';
import { Layer, LayerNorm, Linear } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { MixerBlock } from './mixer-block.js';

/** @typedef {import('@clipkit/core').TrainableImageEncoder} TrainableImageEncoder */

/**
 * A small MLP-Mixer image tower for CLIP (Tolstikhin et al. 2021): a per-patch linear embedding (the
 * paper's stem), `layers` Mixer blocks, a LayerNorm, mean pooling over the patches and a bias-free
 * projection into the joint embedding space. State-dict names: `stem.*`, `blocks.{i}.*`, `norm.*`, `proj.weight`.
 * @implements {TrainableImageEncoder}
 */
export class MlpMixer extends Layer {
  /**
   * @param {import('./mixer-schema.js').MixerConfig} config
   * @param {number} embedDim width of the joint embedding space (model.embedDim)
   * @param {import('@clipkit/core').SeededRandom} rng every initial weight is drawn from it
   */
  constructor(config, embedDim, rng) {
    super();
    const { imageSize, patchSize, width, layers } = config;
    if (imageSize % patchSize !== 0) throw new ClipkitError(`MlpMixer: patchSize ${patchSize} does not divide imageSize ${imageSize}`);
    this.config = config;
    this.imageSize = imageSize;
    this.embedDim = embedDim;
    const tokens = (imageSize / patchSize) ** 2;
    this.stem = this.addChild('stem', new Linear(3 * patchSize * patchSize, width, rng));
    this.blocks = Array.from({ length: layers }, (_, i) => this.addChild(`blocks.${i}`, new MixerBlock(tokens, width, config.tokenMlpWidth, config.channelMlpWidth, rng)));
    this.norm = this.addChild('norm', new LayerNorm(width));
    this.proj = this.addChild('proj', new Linear(width, embedDim, rng, { bias: false }));
  }

  /**
   * Non-overlapping p x p patches, each flattened in (channel, row, column) order as a convolution's
   * weight reads them: the stem is the paper's kernel = stride = p convolution as one product.
   * @param {tf.Tensor4D} pixels [N, 3, S, S]
   * @returns {tf.Tensor2D} [N*T, 3*p*p], T = (S/p)^2 patches in row-major order
   */
  patches(pixels) {
    const [N, C, S] = pixels.shape;
    const p = this.config.patchSize;
    const g = S / p;
    // [N, C, g, p, g, p] -> [N, g*g, C, p*p] as two rank-4 transposes (wasm runs rank-6 ones element by element).
    const rows = tf.transpose(tf.reshape(pixels, [N * C * g, p, g, p]), [0, 2, 1, 3]); // [N*C*g, g, p, p]
    const byPatch = tf.transpose(tf.reshape(rows, [N, C, g * g, p * p]), [0, 2, 1, 3]); // [N, g*g, C, p*p]
    return tf.reshape(byPatch, [N * g * g, C * p * p]);
  }

  /**
   * @param {tf.Tensor4D} pixelValues CLIP-normalised pixels [N, 3, S, S]
   * @param {boolean} _training unused: the tower has no dropout or batch statistics
   * @returns {tf.Tensor2D} image features [N, embedDim]
   */
  forward(pixelValues, _training) {
    const [N, C, H, W] = pixelValues.shape;
    if (C !== 3 || H !== this.imageSize || W !== this.imageSize) {
      throw new ClipkitError(`MlpMixer: pixel values have shape [${pixelValues.shape.join(', ')}], expected [N, 3, ${this.imageSize}, ${this.imageSize}]`);
    }
    return tf.tidy(() => {
      const tokens = (this.imageSize / this.config.patchSize) ** 2;
      /** @type {tf.Tensor3D} */
      let x = tf.reshape(this.stem.apply(this.patches(pixelValues)), [N, tokens, this.config.width]); // [N, T, C]
      for (const block of this.blocks) x = block.apply(x);
      const pooled = tf.mean(this.norm.apply(x), 1); // [N, C]: the paper's global average pooling
      return this.proj.apply(/** @type {tf.Tensor2D} */ (pooled)); // [N, embedDim]
    });
  }

  /**
   * @param {tf.Tensor4D} pixelValues [N, 3, S, S]
   * @returns {Promise<tf.Tensor2D>} [N, embedDim]
   */
  encode(pixelValues) {
    return Promise.resolve(tf.tidy(() => this.forward(pixelValues, false)));
  }
}
