import type { SeededRandom } from '@clipkit/core';
import { Layer, linear } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/**
 * OpenAI's `conv1`: a bias-free convolution with kernel = stride = patchSize, written as patch
 * extraction (reshape + transpose) and one 2-D product with the weight flattened to [width, 3*p*p].
 * The same maths as the convolution, but its weight gradient stays on the fast wasm matMul path
 * (wasm has no Conv2DBackpropFilter kernel). The weight keeps PyTorch's layout [width, 3, p, p].
 */
export class PatchEmbedding extends Layer {
  readonly weight: tf.Variable<tf.Rank.R4>;

  constructor(
    readonly width: number,
    readonly patchSize: number,
    rng: SeededRandom,
  ) {
    super();
    // nn.Conv2d's default init (kaiming_uniform_ with a = sqrt 5): U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    const fanIn = 3 * patchSize * patchSize;
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = this.addVariable('weight', tf.tensor4d(rng.uniformArray(width * fanIn, -bound, bound), [width, 3, patchSize, patchSize]));
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
      const embedded = linear(patches, tf.reshape<tf.Rank.R2>(this.weight, [this.width, C * p * p])); // [N*g*g, width]
      return tf.reshape(embedded, [N, gh * gw, this.width]);
    });
  }
}
