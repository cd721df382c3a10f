import { ClipkitError, type SeededRandom, type TrainableTextEncoder } from '@clipkit/core';
import { causalMask, Embedding, Layer, LayerNorm, project, Transformer } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import type { TextTransformerConfig } from './text-transformer-schema.js';

/**
 * OpenAI CLIP's text tower (`CLIP.encode_text` in clip/model.py): token and position embeddings, a
 * causal transformer, ln_final, the features of one token per text (the end-of-text token), and the
 * projection `text_projection` [width, embedDim] without bias. State-dict names are OpenAI's top-level
 * text names (`token_embedding.weight`, `transformer.resblocks.0...`, `ln_final.weight`, ...).
 */
export class TextTransformer extends Layer implements TrainableTextEncoder {
  readonly contextLength: number;
  readonly positionalEmbedding: tf.Variable<tf.Rank.R2>;
  readonly textProjection: tf.Variable<tf.Rank.R2>;
  readonly transformer: Transformer;
  readonly tokenEmbedding: Embedding;
  readonly lnFinal: LayerNorm;

  constructor(
    readonly config: TextTransformerConfig,
    readonly embedDim: number,
    rng: SeededRandom,
  ) {
    super();
    const { contextLength, width, layers } = config;
    this.contextLength = contextLength;
    // CLIP.initialize_parameters.
    this.positionalEmbedding = this.addVariable('positional_embedding', tf.tensor2d(rng.normalArray(contextLength * width, 0.01), [contextLength, width]));
    this.textProjection = this.addVariable('text_projection', tf.tensor2d(rng.normalArray(width * embedDim, width ** -0.5), [width, embedDim]));
    const init = { attnStd: width ** -0.5, projStd: width ** -0.5 * (2 * layers) ** -0.5, fcStd: (2 * width) ** -0.5 };
    this.transformer = this.addChild(
      'transformer',
      new Transformer(width, layers, config.heads, rng, { mlpWidth: config.mlpWidth, activation: config.activation, layerNormEps: config.layerNormEps, init }),
    );
    this.tokenEmbedding = this.addChild('token_embedding', new Embedding(config.vocabSize, width, rng, 0.02));
    this.lnFinal = this.addChild('ln_final', new LayerNorm(width, config.layerNormEps));
  }

  /** int32 ids [N, contextLength] -> token plus position embeddings [N, contextLength, width]. */
  embed(inputIds: tf.Tensor2D): tf.Tensor3D {
    const [, length] = inputIds.shape;
    if (length !== this.contextLength || inputIds.dtype !== 'int32') {
      throw new ClipkitError(
        `TextTransformer: input ids are ${inputIds.dtype} [${inputIds.shape.join(', ')}], expected int32 [N, ${this.contextLength}]; tokenize with contextLength ${this.contextLength}`,
      );
    }
    return tf.tidy(() => tf.add(this.tokenEmbedding.apply(inputIds), this.positionalEmbedding));
  }

  /**
   * The position whose features represent each text [N] (int32): with `eosTokenId` null, the first
   * largest id (OpenAI: the end-of-text token has the largest id); otherwise the first `eosTokenId`, as
   * Hugging Face transformers does when eos_token_id is not 2 (position 0 when a text has none).
   */
  poolIndex(inputIds: tf.Tensor2D): tf.Tensor1D {
    const eos = this.config.eosTokenId;
    const T = this.contextLength;
    return tf.tidy(() => {
      const value = eos === null ? inputIds : tf.cast(tf.equal(inputIds, eos), 'int32'); // [N, T]
      // value * T + (T - 1 - t) has one maximum, at the first largest value, so the result does not
      // depend on how a backend's argMax breaks ties (ids < 2^31 / T: any real vocabulary).
      const earlierFirst = tf.range(T - 1, -1, -1, 'int32'); // [T]
      return tf.argMax(tf.add(tf.mul(value, tf.scalar(T, 'int32')), earlierFirst), 1);
    });
  }

  /** int32 ids [N, contextLength] -> text features [N, embedDim]. `_training` is unused: the tower has no dropout. */
  forward(inputIds: tf.Tensor2D, _training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const hidden = this.transformer.apply(this.embed(inputIds), causalMask(this.contextLength)); // [N, T, width]
      // A one-hot sum picks one token per text; unlike gather its gradient needs no cpu-bridged kernel.
      // (tfjs-backend-wasm 4.22's OneHot writes int32 bits into a float32 output, hence the cast.)
      const pick = tf.expandDims(tf.cast(tf.oneHot(this.poolIndex(inputIds), this.contextLength), 'float32'), 2); // [N, T, 1]
      const pooled = tf.sum(tf.mul(hidden, pick), 1) as tf.Tensor2D; // [N, width]
      // LayerNorm is per token, so normalising the pooled tokens equals OpenAI's ln_final over all tokens.
      return project(this.lnFinal.apply(pooled), this.textProjection); // [N, embedDim]
    });
  }
  /**
   * open_clip's text layer groups (lock_text_tower): the embeddings (token and positional), one group per block
   * (the last with ln_final), then text_projection; `layers + 2` groups.
   */
  layerGroups(): string[][] {
    const { layers } = this.config;
    const groups: string[][] = Array.from({ length: layers + 2 }, () => []);
    for (const name of this.stateDict().keys()) {
      const block = /^transformer\.resblocks\.(\d+)\./.exec(name);
      const group = block ? 1 + Number(block[1]) : name.startsWith('ln_final.') ? layers : name === 'text_projection' ? layers + 1 : 0;
      groups[group].push(name);
    }
    return groups;
  }

  encode(inputIds: tf.Tensor2D): Promise<tf.Tensor2D> {
    return Promise.resolve(tf.tidy(() => this.forward(inputIds, false)));
  }
}
