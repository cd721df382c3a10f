export interface TokenizeOptions {
  /** Tokens per row, special tokens included. Default: the tokenizer's own (77 for CLIP's BPE, model_max_length for SentencePiece). */
  contextLength?: number;
  /** Cut over-long texts to fit (keeping the end token where the tokenizer has one); false makes them an error. Default true. */
  truncate?: boolean;
}

/** Text to the token rows a text tower takes (OpenAI's simple_tokenizer + clip.tokenize, SigLIP's SentencePiece, ...). */
export interface Tokenizer {
  readonly vocabSize: number;
  /** The start token, or -1 for tokenizers without one (SigLIP). */
  readonly startOfTextId: number;
  readonly endOfTextId: number;
  /**
   * The id that fills a row after the text (and the end token): 1 = `</s>` for SigLIP, whose tokenizer pads to
   * max_length. Absent means 0, clip.tokenize's zero padding.
   */
  readonly padId?: number;
  /** Token ids of one text, without special tokens. */
  encode(text: string): number[];
  /** Text of token ids (special tokens rendered as their names). */
  decode(ids: ArrayLike<number>): string;
  /** One row per text, exactly as the model takes them (special tokens and padding included), [texts.length, contextLength] row-major. */
  tokenize(texts: readonly string[], options?: TokenizeOptions): Int32Array;
}
