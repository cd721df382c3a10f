import * as tf from '@tensorflow/tfjs-core';
import type { ImageEncoder, TextEncoder } from '../components/encoders.js';
import type { Tokenizer } from '../components/tokenizer.js';
import { ClipkitError } from '../errors.js';
import { l2Normalize } from './l2-normalize.js';
import { fillTemplate, type PromptTemplate } from './prompt-template.js';

export interface EncodeOptions {
  /** Rows per encoder call; any number of inputs is split into batches of this size. Default 32. */
  batchSize?: number;
}

export interface EncodeTextOptions extends EncodeOptions {
  /**
   * Fills rows shorter than the context length: the tokenizer's `padId` (SigLIP's is 1; its text tower attends
   * to the padding, so the fill changes the embedding). Default 0, clip.tokenize's padding.
   */
  padId?: number;
}

export interface ClipModelOptions {
  /** The multiplier exp(t) of the cosine similarities (OpenAI CLIP's trained models: 100). */
  logitScale: number;
  /** SigLIP's bias added to the scaled similarities; null for CLIP models. Default null. */
  logitBias?: number | null;
  /**
   * Token vocabulary of the text tower. When given, tokenize() refuses a tokenizer with more tokens, whose
   * ids would index past the embedding table. Default: unchecked.
   */
  textVocabSize?: number;
}

/** Both views of the similarity matrix, as OpenAI CLIP's forward returns them. */
export interface ClipLogits {
  /** [images, texts] */
  logitsPerImage: tf.Tensor2D;
  /** [texts, images], the transpose. */
  logitsPerText: tf.Tensor2D;
}

/** The k best candidates of each query, best first. */
export interface RankResult {
  /** Candidate rows [queries, k], int32. */
  indices: tf.Tensor2D;
  /** Their cosine similarities [queries, k]. */
  scores: tf.Tensor2D;
}

const DEFAULT_BATCH_SIZE = 32;

/**
 * A CLIP model for inference: two towers into one embedding space and the learned logit scale
 * (OpenAI clip/model.py `CLIP`: encode_image, encode_text, forward). The towers may run on any runtime;
 * every method takes and returns tensors and disposes what it does not return. The model does not own
 * its encoders: whoever built them disposes them.
 */
export class ClipModel<ImageTower extends ImageEncoder = ImageEncoder, TextTower extends TextEncoder = TextEncoder> {
  readonly logitScale: number;
  readonly logitBias: number | null;
  private readonly textVocabSize: number | undefined;

  constructor(
    readonly imageEncoder: ImageTower,
    readonly textEncoder: TextTower,
    options: ClipModelOptions,
  ) {
    if (imageEncoder.embedDim !== textEncoder.embedDim) {
      throw new ClipkitError(
        `the image tower embeds into ${imageEncoder.embedDim} dimensions but the text tower into ${textEncoder.embedDim}; both must project to model.embedDim`,
      );
    }
    if (!(Number.isFinite(options.logitScale) && options.logitScale > 0)) {
      throw new ClipkitError(`logitScale must be a positive number (the multiplier exp(t)), got ${options.logitScale}`);
    }
    this.logitScale = options.logitScale;
    this.logitBias = options.logitBias ?? null;
    this.textVocabSize = options.textVocabSize;
  }

  get embedDim(): number {
    return this.imageEncoder.embedDim;
  }

  /** CLIP-normalised pixel values [N, 3, S, S] -> unnormalised image embeddings [N, embedDim]. */
  async encodeImage(pixelValues: tf.Tensor4D, options: EncodeOptions = {}): Promise<tf.Tensor2D> {
    const size = this.imageEncoder.imageSize;
    const [, channels, height, width] = pixelValues.shape;
    if (pixelValues.rank !== 4 || channels !== 3 || height !== size || width !== size) {
      throw new ClipkitError(`pixel values of shape [${pixelValues.shape.join(', ')}] do not fit the image tower: expected [N, 3, ${size}, ${size}]`);
    }
    return this.inBatches(pixelValues, batchSizeOf(options), (batch) => this.imageEncoder.encode(batch));
  }

  /**
   * Token ids [N, L] -> unnormalised text embeddings [N, embedDim]. Rows shorter than the context length
   * are padded with `options.padId` as the tokenizer pads them (CLIP's 0 is exact: the causal mask keeps
   * padding from reaching the pooled end token; SigLIP's tower sees its padding, so pass its pad id 1);
   * float ids are cast to int32.
   */
  async encodeText(inputIds: tf.Tensor2D, options: EncodeTextOptions = {}): Promise<tf.Tensor2D> {
    const context = this.textEncoder.contextLength;
    if (inputIds.rank !== 2 || inputIds.shape[1] > context) {
      throw new ClipkitError(`token ids of shape [${inputIds.shape.join(', ')}] do not fit the text tower: expected [N, L] with L <= ${context} (the context length)`);
    }
    const { padId = 0 } = options;
    if (!Number.isInteger(padId) || padId < 0) throw new ClipkitError(`padId must be a token id (an integer >= 0), got ${padId}`);
    const ids = tf.tidy(() => {
      const int = inputIds.dtype === 'int32' ? inputIds : tf.cast(inputIds, 'int32');
      return inputIds.shape[1] === context
        ? int
        : tf.pad(
            int,
            [
              [0, 0],
              [0, context - inputIds.shape[1]],
            ],
            padId,
          );
    });
    try {
      return await this.inBatches(ids, batchSizeOf(options), (batch) => this.textEncoder.encode(batch));
    } finally {
      if (ids !== inputIds) ids.dispose();
    }
  }

  /** Token ids of `texts` [texts, contextLength] for this model's text tower. */
  tokenize(tokenizer: Tokenizer, texts: readonly string[]): tf.Tensor2D {
    if (this.textVocabSize !== undefined && tokenizer.vocabSize > this.textVocabSize) {
      throw new ClipkitError(
        `the tokenizer has ${tokenizer.vocabSize} tokens but the text tower only ${this.textVocabSize} (model.text.vocabSize): ` +
          "put the model's own vocab.json + merges.txt (or tokenizer.json) in its directory, or set tokenizer.path",
      );
    }
    const context = this.textEncoder.contextLength;
    return tf.tensor2d(tokenizer.tokenize(texts, { contextLength: context }), [texts.length, context], 'int32');
  }

  /** exp(t) x cosine similarities (+ bias) between every image and every text. */
  logits(imageEmbeds: tf.Tensor2D, textEmbeds: tf.Tensor2D): ClipLogits {
    return tf.tidy(() => {
      const cosine = cosineSimilarity(imageEmbeds, textEmbeds); // [I, T]
      const scaled = tf.mul(cosine, this.logitScale);
      const logitsPerImage = (this.logitBias === null ? scaled : tf.add(scaled, this.logitBias)) as tf.Tensor2D;
      return { logitsPerImage, logitsPerText: tf.transpose(logitsPerImage) };
    });
  }

  /**
   * Zero-shot classifier weights [classes, embedDim], L2-normalised: each class's prompts (one per template)
   * are embedded and normalised, averaged, and the average normalised again (open_clip
   * build_zero_shot_classifier). Classes are embedded a few at a time, so 1000 classes x 80 templates fit in memory.
   */
  async zeroShotClassifier(tokenizer: Tokenizer, classNames: readonly string[], templates: readonly PromptTemplate[], options: EncodeOptions = {}): Promise<tf.Tensor2D> {
    if (classNames.length === 0) throw new ClipkitError('a zero-shot classifier needs at least one class name');
    if (templates.length === 0) throw new ClipkitError('a zero-shot classifier needs at least one prompt template, e.g. "a photo of a {}."');
    const batchSize = batchSizeOf(options);
    const classesPerChunk = Math.max(1, Math.floor(batchSize / templates.length));
    const rows: tf.Tensor2D[] = [];
    try {
      for (let start = 0; start < classNames.length; start += classesPerChunk) {
        const chunk = classNames.slice(start, start + classesPerChunk);
        const ids = this.tokenize(
          tokenizer,
          chunk.flatMap((name) => templates.map((template) => fillTemplate(template, name))),
        );
        let embeds: tf.Tensor2D;
        try {
          embeds = await this.encodeText(ids, { batchSize });
        } finally {
          ids.dispose();
        }
        rows.push(
          tf.tidy(() => {
            const prompts = tf.reshape(l2Normalize(embeds), [chunk.length, templates.length, this.embedDim]); // [C, T, E]
            return l2Normalize(tf.mean(prompts, 1) as tf.Tensor2D); // [C, E]
          }),
        );
        embeds.dispose();
      }
      return tf.concat(rows, 0);
    } finally {
      tf.dispose(rows);
    }
  }

  /**
   * Class scores [N, classes] from exp(t) x the cosine similarities of each image with each class: a softmax
   * over the classes for CLIP models; for models with a logit bias (SigLIP), each label's independent
   * sigmoid match probability sigmoid(exp(t) cos + b), as transformers' zero-shot pipeline reports them.
   * The ranking is the same either way.
   */
  async classify(pixelValues: tf.Tensor4D, classifier: tf.Tensor2D, options: EncodeOptions = {}): Promise<tf.Tensor2D> {
    const imageEmbeds = await this.encodeImage(pixelValues, options);
    try {
      return tf.tidy(() => {
        const scaled = tf.mul(cosineSimilarity(imageEmbeds, classifier), this.logitScale);
        return (this.logitBias === null ? tf.softmax(scaled) : tf.sigmoid(tf.add(scaled, this.logitBias))) as tf.Tensor2D;
      });
    } finally {
      imageEmbeds.dispose();
    }
  }

  /** Retrieval: for each query embedding the k candidates of highest cosine similarity (k is capped at the number of candidates). */
  rank(queries: tf.Tensor2D, candidates: tf.Tensor2D, k: number): RankResult {
    if (!Number.isInteger(k) || k < 1) throw new ClipkitError(`k must be a positive integer, got ${k}`);
    return tf.tidy(() => {
      const { values, indices } = tf.topk(cosineSimilarity(queries, candidates), Math.min(k, candidates.shape[0]));
      return { indices: indices as tf.Tensor2D, scores: values as tf.Tensor2D };
    });
  }

  /** Encodes `input` in slices of `batchSize` rows and concatenates the embeddings. */
  private async inBatches<T extends tf.Tensor>(input: T, batchSize: number, encode: (batch: T) => Promise<tf.Tensor2D>): Promise<tf.Tensor2D> {
    const n = input.shape[0];
    if (n === 0) return tf.zeros([0, this.embedDim]);
    if (n <= batchSize) return encode(input);
    const parts: tf.Tensor2D[] = [];
    try {
      for (let start = 0; start < n; start += batchSize) {
        const batch = tf.slice(input, start, Math.min(batchSize, n - start)) as T;
        try {
          parts.push(await encode(batch));
        } finally {
          batch.dispose();
        }
      }
      return tf.concat(parts, 0);
    } finally {
      tf.dispose(parts);
    }
  }
}

function batchSizeOf(options: EncodeOptions): number {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ClipkitError(`batchSize must be a positive integer, got ${batchSize}`);
  return batchSize;
}

/** [A, E] x [B, E] -> cosine similarities [A, B]. */
function cosineSimilarity(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    if (a.shape[1] !== b.shape[1]) throw new ClipkitError(`cannot compare embeddings of width ${a.shape[1]} with embeddings of width ${b.shape[1]}`);
    // An explicit transpose: matMul with transpose flags is much slower on the wasm backend.
    return tf.matMul(l2Normalize(a), tf.transpose(l2Normalize(b)));
  });
}
