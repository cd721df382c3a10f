export interface TokenizeOptions {
  /** Tokens per row, start and end tokens included. Default 77. */
  contextLength?: number;
  /** Cut over-long texts to contextLength - 1 tokens and end them with the end token; false makes them an error. Default true. */
  truncate?: boolean;
}

/** Text to token ids, as OpenAI's simple_tokenizer + clip.tokenize. */
export interface Tokenizer {
  readonly vocabSize: number;
  readonly startOfTextId: number;
  readonly endOfTextId: number;
  /** Token ids of one text, without start and end tokens. */
  encode(text: string): number[];
  /** Text of token ids (start and end tokens rendered as their names). */
  decode(ids: ArrayLike<number>): string;
  /** Rows [start, ids..., end, 0...] of shape [texts.length, contextLength], row-major. */
  tokenize(texts: readonly string[], options?: TokenizeOptions): Int32Array;
}
