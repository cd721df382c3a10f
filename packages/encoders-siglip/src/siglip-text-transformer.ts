import { ClipkitError, type SeededRandom, type TrainableTextEncoder } from '@clipkit/core';
import { Layer, LayerNorm, Linear } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { lecunNormal } from './lecun-normal.js';
import { SiglipEncoder } from './siglip-encoder.js';
import { SiglipTextEmbeddings } from './siglip-text-embeddings.js';
import type { SiglipTextConfig } from './siglip-text-schema.js';

/**
 * transformers' SiglipTextTransformer (modeling_siglip.py): token and position embeddings, the encoder with
 * no mask at all (not causal, padding attended to, as SigLIP was trained), final_layer_norm, the LAST
 * position (whatever token is there: SiglipTokenizer pads with its end token) and the Linear `head`
 * [embedDim, width]. State-dict names are transformers' below `text_model.`.
 */
export class SiglipTextTransformer extends Layer implements TrainableTextEncoder {
  readonly contextLength: number;
  readonly embeddings: SiglipTextEmbeddings;
  readonly encoder: SiglipEncoder;
  readonly finalLayerNorm: LayerNorm;
  readonly head: Linear;

  constructor(
    readonly config: SiglipTextConfig,
    readonly embedDim: number,
    rng: SeededRandom,
  ) {
    super();
    const { contextLength, width } = config;
    this.contextLength = contextLength;
    this.embeddings = this.addChild('embeddings', new SiglipTextEmbeddings(config.vocabSize, contextLength, width, rng));
    this.encoder = this.addChild('encoder', new SiglipEncoder(config, rng));
    this.finalLayerNorm = this.addChild('final_layer_norm', new LayerNorm(width, config.layerNormEps));
    // SiglipPreTrainedModel._init_weights: lecun_normal_ weight, zero bias.
    this.head = this.addChild('head', new Linear(width, embedDim, rng, { weight: lecunNormal(rng, embedDim * width, width), biasValues: new Float32Array(embedDim) }));
  }

  /** int32 ids [N, contextLength] -> final_layer_norm at the last position [N, width] (the head's input). */
  pool(inputIds: tf.Tensor2D): tf.Tensor2D {
    const [, length] = inputIds.shape;
    if (length !== this.contextLength || inputIds.dtype !== 'int32') {
      throw new ClipkitError(
        `SiglipTextTransformer: input ids are ${inputIds.dtype} [${inputIds.shape.join(', ')}], expected int32 [N, ${this.contextLength}]; tokenize with contextLength ${this.contextLength} (padded with the pad token)`,
      );
    }
    return tf.tidy(() => {
      const hidden = this.encoder.apply(this.embeddings.apply(inputIds)); // [N, T, width]
      const [N, T, D] = hidden.shape;
      // LayerNorm is per token, so normalising the last token alone equals transformers' order.
      return this.finalLayerNorm.apply(tf.reshape<tf.Rank.R2>(tf.slice(hidden, [0, T - 1, 0], [N, 1, D]), [N, D]));
    });
  }

  /** int32 ids [N, contextLength] -> text features [N, embedDim]. `_training` is unused: the tower has no dropout. */
  forward(inputIds: tf.Tensor2D, _training: boolean): tf.Tensor2D {
    return tf.tidy(() => this.head.apply(this.pool(inputIds)));
  }

  encode(inputIds: tf.Tensor2D): Promise<tf.Tensor2D> {
    return Promise.resolve(tf.tidy(() => this.forward(inputIds, false)));
  }
}
