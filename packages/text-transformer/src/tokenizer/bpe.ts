import { ClipkitError } from '@clipkit/core';
import { type BpeVocabulary, END_OF_WORD } from './bpe-vocabulary.js';
import { BYTE_TO_CHAR } from './byte-encoder.js';
import { mergeLongWord } from './merge-long-word.js';
import { PairTable } from './pair-table.js';

/**
 * Words of more bytes than this merge through a heap (mergeLongWord, O(n log n)); shorter ones by the
 * reference's scan, which is faster for them (almost every word is a few bytes) but O(n^2).
 */
const LONG_WORD = 64;

/** Words cached before the cache is emptied (a long-running process sees unbounded distinct words). */
const MAX_CACHED_WORDS = 1 << 18;

/**
 * Byte-level BPE by merge rank (simple_tokenizer's `bpe`), on token ids: a word's UTF-8 bytes start as
 * single-byte tokens (the last with "</w>"), and the adjacent pair of lowest merge rank is merged everywhere,
 * left to right, until no pair has a rank. Results are cached per word, as the reference does.
 */
export class BytePairEncoding {
  /** Token id of each string (for duplicates, the last id, as simple_tokenizer's dict). */
  readonly ids = new Map<string, number>();
  private readonly pairRank: PairTable;
  private readonly mergedId: Int32Array;
  private readonly byteId = new Int32Array(256);
  private readonly lastByteId = new Int32Array(256);
  private readonly cache = new Map<string, readonly number[]>();
  private readonly encoder = new TextEncoder();

  constructor(vocabulary: BpeVocabulary, source: string) {
    for (const [id, token] of vocabulary.tokens.entries()) if (token !== undefined) this.ids.set(token, id);
    for (let byte = 0; byte < 256; byte++) {
      this.byteId[byte] = this.require(BYTE_TO_CHAR[byte], source, 'a byte token');
      this.lastByteId[byte] = this.require(BYTE_TO_CHAR[byte] + END_OF_WORD, source, 'a byte token');
    }
    this.mergedId = new Int32Array(vocabulary.merges.length);
    this.pairRank = new PairTable(vocabulary.merges.length);
    vocabulary.merges.forEach(([left, right], rank) => {
      // A repeated pair keeps its last rank, as simple_tokenizer's dict(zip(merges, range(len(merges)))).
      this.pairRank.set(this.require(left, source, `merge ${rank}`), this.require(right, source, `merge ${rank}`), rank);
      this.mergedId[rank] = this.require(left + right, source, `merge ${rank}`);
    });
  }

  private require(token: string, source: string, what: string): number {
    const id = this.ids.get(token);
    if (id === undefined)
      throw new ClipkitError(`${source}: ${what} needs the token ${JSON.stringify(token)}, which the vocabulary lacks; is this a CLIP byte-level BPE vocabulary?`);
    return id;
  }

  /** Token ids of one pre-token (a word, digit or punctuation run). */
  encodeWord(word: string): readonly number[] {
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const ids = this.merge(this.byteIds(word));
    if (this.cache.size >= MAX_CACHED_WORDS) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  /** Empties the word cache (benchmarks measure the cold path with it). */
  clearCache(): void {
    this.cache.clear();
  }

  private byteIds(word: string): number[] {
    const bytes = this.encoder.encode(word);
    const ids = new Array<number>(bytes.length);
    for (let i = 0; i < bytes.length - 1; i++) ids[i] = this.byteId[bytes[i]];
    ids[bytes.length - 1] = this.lastByteId[bytes[bytes.length - 1]];
    return ids;
  }

  private merge(symbols: number[]): number[] {
    return symbols.length > LONG_WORD ? mergeLongWord(symbols, this.pairRank, this.mergedId) : this.mergeShortWord(symbols);
  }

  private mergeShortWord(symbols: number[]): number[] {
    while (symbols.length > 1) {
      let best = Infinity;
      let first = 0;
      let second = 0;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.pairRank.get(symbols[i], symbols[i + 1]);
        if (rank !== -1 && rank < best) {
          best = rank;
          first = symbols[i];
          second = symbols[i + 1];
        }
      }
      if (best === Infinity) break;
      const merged = this.mergedId[best];
      const next: number[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (symbols[i] === first && symbols[i + 1] === second) {
          next.push(merged);
          i++;
        } else {
          next.push(symbols[i]);
        }
      }
      symbols = next;
    }
    return symbols;
  }
}
