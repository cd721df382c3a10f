import type { SeededRandom } from '@clipkit/core';
import { Embedding, Layer, PatchEmbedding } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { lecunNormal } from './lecun-normal.js';

/**
 * transformers' SiglipVisionEmbeddings: the patch convolution (with bias) flattened row-major (patch index =
 * row x grid + column), plus one learned position per patch. No class token. Initialised as
 * SiglipPreTrainedModel._init_weights: lecun_normal_ conv weight, zero bias, positions N(0, 1/width).
 */
export class SiglipVisionEmbeddings extends Layer {
  readonly patchEmbedding: PatchEmbedding;
  readonly positionEmbedding: Embedding;

  constructor(width: number, patchSize: number, patches: number, rng: SeededRandom) {
    super();
    const fanIn = 3 * patchSize * patchSize;
    const weight = lecunNormal(rng, width * fanIn, fanIn);
    this.patchEmbedding = this.addChild('patch_embedding', new PatchEmbedding(width, patchSize, rng, { weight, biasValues: new Float32Array(width) }));
    this.positionEmbedding = this.addChild('position_embedding', new Embedding(patches, width, rng, width ** -0.5));
  }

  /** Pixels [N, 3, S, S] -> patch embeddings plus positions [N, (S/p)^2, width]. */
  apply(pixelValues: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => tf.add(this.patchEmbedding.apply(pixelValues), this.positionEmbedding.weight));
  }
}
