import { ClipkitError, type TokenizeOptions, type Tokenizer } from '@clipkit/core';
import { BytePairEncoding } from './bpe.js';
import { type BpeVocabulary, END_OF_TEXT, END_OF_WORD, START_OF_TEXT } from './bpe-vocabulary.js';
import { CHAR_TO_BYTE } from './byte-encoder.js';
import { cleanText, isPlainAscii } from './clean-text.js';
import { preTokenize } from './pre-tokenize.js';
import { TextTooLongError } from './text-too-long-error.js';

/** clip.tokenize's default context length. */
const DEFAULT_CONTEXT_LENGTH = 77;

/**
 * OpenAI CLIP's tokenizer (clip/simple_tokenizer.py + clip.tokenize), id for id: ftfy-style cleaning,
 * html.unescape twice, whitespace collapse, lowercase, the splitting regex, then byte-level BPE.
 */
export class ClipTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly startOfTextId: number;
  readonly endOfTextId: number;
  private readonly bpe: BytePairEncoding;
  private readonly tokenBytes: (Uint8Array | undefined)[] = [];
  private readonly utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

  /** `source` names the vocabulary in errors (its file). */
  constructor(
    readonly vocabulary: BpeVocabulary,
    readonly source = 'BPE vocabulary',
  ) {
    this.bpe = new BytePairEncoding(vocabulary, source);
    this.vocabSize = vocabulary.tokens.length;
    this.startOfTextId = this.special(START_OF_TEXT);
    this.endOfTextId = this.special(END_OF_TEXT);
  }

  private special(token: string): number {
    const id = this.bpe.ids.get(token);
    if (id === undefined) throw new ClipkitError(`${this.source}: no ${token} token; a CLIP vocabulary ends with <|startoftext|> and <|endoftext|>`);
    return id;
  }

  /** simple_tokenizer's encode: token ids of one text, without start and end tokens. */
  encode(text: string): number[] {
    const ids: number[] = [];
    this.appendIds(text, ids);
    return ids;
  }

  private appendIds(text: string, ids: number[]): void {
    // Plain ASCII is left as is by the cleaning, and where whitespace is collapsed or stripped does not
    // change the split, so lowercasing is all the cleaning such text needs.
    const words = isPlainAscii(text) ? preTokenize(text.toLowerCase()) : preTokenize(cleanText(text));
    for (const word of words) {
      if (word === START_OF_TEXT) ids.push(this.startOfTextId);
      else if (word === END_OF_TEXT) ids.push(this.endOfTextId);
      else for (const id of this.bpe.encodeWord(word)) ids.push(id);
    }
  }

  /**
   * simple_tokenizer's decode: the tokens' bytes decoded as UTF-8 with U+FFFD for invalid sequences (the
   * WHATWG decoder replaces the same maximal subparts as Python's errors="replace"), then "</w>" -> " ",
   * so every word keeps its trailing space.
   */
  decode(ids: ArrayLike<number>): string {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (let i = 0; i < ids.length; i++) {
      const bytes = this.bytesOf(ids[i], i);
      parts.push(bytes);
      length += bytes.length;
    }
    const all = new Uint8Array(length);
    let offset = 0;
    for (const part of parts) {
      all.set(part, offset);
      offset += part.length;
    }
    return this.utf8.decode(all).replaceAll(END_OF_WORD, ' ');
  }

  private bytesOf(id: number, position: number): Uint8Array {
    const cached = this.tokenBytes[id];
    if (cached !== undefined) return cached;
    const token = Number.isInteger(id) ? this.vocabulary.tokens[id] : undefined;
    if (token === undefined) throw new ClipkitError(`decode: id ${id} at position ${position} is not a token of ${this.source} (ids 0..${this.vocabSize - 1})`);
    const bytes = Uint8Array.from(token, (ch) => {
      const byte = CHAR_TO_BYTE.get(ch);
      if (byte === undefined) throw new ClipkitError(`decode: token ${id} (${JSON.stringify(token)}) of ${this.source} has a character outside the byte alphabet`);
      return byte;
    });
    this.tokenBytes[id] = bytes;
    return bytes;
  }

  /**
   * clip.tokenize: rows [start, ids..., end, 0...] of shape [texts.length, contextLength]. An over-long
   * text keeps its first contextLength - 1 tokens and ends with the end token, or is an error with
   * `truncate: false`.
   */
  tokenize(texts: readonly string[], options: TokenizeOptions = {}): Int32Array {
    const { contextLength = DEFAULT_CONTEXT_LENGTH, truncate = true } = options;
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new ClipkitError(`tokenize: contextLength must be an integer >= 2 (room for the start and end tokens), got ${contextLength}`);
    }
    const rows = new Int32Array(texts.length * contextLength); // [N, contextLength]
    const ids: number[] = [];
    texts.forEach((text, row) => {
      ids.length = 0;
      this.appendIds(text, ids);
      const length = ids.length + 2;
      if (length > contextLength && !truncate) throw new TextTooLongError(row, length, contextLength);
      const offset = row * contextLength;
      const kept = Math.min(ids.length, contextLength - 2);
      rows[offset] = this.startOfTextId;
      for (let i = 0; i < kept; i++) rows[offset + 1 + i] = ids[i];
      rows[offset + 1 + kept] = this.endOfTextId;
    });
    return rows;
  }

  /** Empties the per-word BPE cache (benchmarks use it to measure cold encoding). */
  clearCache(): void {
    this.bpe.clearCache();
  }
}
