import type { SeededRandom } from '@clipkit/core';
import { Embedding, Layer } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/**
 * transformers' SiglipTextEmbeddings: token embeddings plus one learned position per place in the context.
 * Both tables are initialised N(0, 1/width) (SiglipPreTrainedModel._init_weights: default_flax_embed_init).
 */
export class SiglipTextEmbeddings extends Layer {
  readonly tokenEmbedding: Embedding;
  readonly positionEmbedding: Embedding;

  constructor(vocabSize: number, contextLength: number, width: number, rng: SeededRandom) {
    super();
    this.tokenEmbedding = this.addChild('token_embedding', new Embedding(vocabSize, width, rng, width ** -0.5));
    this.positionEmbedding = this.addChild('position_embedding', new Embedding(contextLength, width, rng, width ** -0.5));
  }

  /** int32 ids [N, contextLength] -> [N, contextLength, width] */
  apply(inputIds: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => tf.add(this.tokenEmbedding.apply(inputIds), this.positionEmbedding.weight));
  }
}
