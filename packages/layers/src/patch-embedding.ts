import type { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { Layer } from './layer.js';
import { ops } from './ops.js';

export interface PatchEmbeddingOptions {
  /** Whether the convolution adds a bias (transformers' patch_embedding does, OpenAI's conv1 not). Default true. */
  bias?: boolean;
  /** Initial weight [width, 3, p, p]; default nn.Conv2d's U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = 3 p^2. */
  weight?: Float32Array;
  /** Initial bias [width]; default nn.Conv2d's U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  biasValues?: Float32Array;
}

/**
 * A vision transformer's patch embedding: nn.Conv2d(3, width, kernel = stride = patchSize), written as patch
 * extraction (reshape + transpose) and one 2-D product with the weight flattened to [width, 3 p^2]. The
 * same maths as the convolution, on the backend's linear op, so its weight gradient stays a fast matrix
 * product (wasm has no Conv2DBackpropFilter kernel). The weight keeps PyTorch's layout [width, 3, p, p].
 */
export class PatchEmbedding extends Layer {
  readonly weight: tf.Variable<tf.Rank.R4>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;

  constructor(
    readonly width: number,
    readonly patchSize: number,
    rng: SeededRandom,
    options: PatchEmbeddingOptions = {},
  ) {
    super();
    const fanIn = 3 * patchSize * patchSize;
    const bound = 1 / Math.sqrt(fanIn);
    const weight = options.weight ?? rng.uniformArray(width * fanIn, -bound, bound);
    this.weight = this.addVariable('weight', tf.tensor4d(weight, [width, 3, patchSize, patchSize]));
    this.bias = options.bias === false ? null : this.addVariable('bias', tf.tensor1d(options.biasValues ?? rng.uniformArray(width, -bound, bound)));
  }

  /** Pixels [N, 3, H, W] (H and W multiples of patchSize) -> patch embeddings [N, (H/p)*(W/p), width], patches in row-major order. */
  apply(pixels: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => {
      const [N, C, H, W] = pixels.shape;
      const p = this.patchSize;
      const [gh, gw] = [H / p, W / p];
      // [N, C, gh, p, gw, p] -> [N, gh, gw, C, p, p] as two rank-4 transposes: wasm runs rank-6
      // transposes through a generic per-element loop (measured 50x slower at ViT-B/32 batch 16).
      const rows = tf.transpose(tf.reshape(pixels, [N * C * gh, p, gw, p]), [0, 2, 1, 3]); // [N*C*gh, gw, p, p]
      const byPatch = tf.transpose(tf.reshape(rows, [N, C, gh * gw, p * p]), [0, 2, 1, 3]); // [N, gh*gw, C, p*p]
      // Each row holds one patch in the weight's (channel, row, column) order.
      const patches = tf.reshape<tf.Rank.R2>(byPatch, [N * gh * gw, C * p * p]); // [N*g*g, 3*p*p]
      const flatWeight = tf.reshape<tf.Rank.R2>(this.weight, [this.width, C * p * p]);
      const embedded = ops().linear(patches, flatWeight, this.bias ?? undefined); // [N*g*g, width]
      return tf.reshape(embedded, [N, gh * gw, this.width]);
    });
  }
}
