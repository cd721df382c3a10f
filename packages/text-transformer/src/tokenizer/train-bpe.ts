import { ClipkitError } from '@clipkit/core';
import { type BpeVocabulary, END_OF_TEXT, END_OF_WORD, openAiVocabulary, START_OF_TEXT } from './bpe-vocabulary.js';
import { BYTE_TO_CHAR } from './byte-encoder.js';
import { cleanText } from './clean-text.js';
import { preTokenize } from './pre-tokenize.js';

export interface TrainBpeOptions {
  /**
   * Tokens in the trained vocabulary: 512 byte tokens + merges + 2 special tokens, so at least 514.
   * Training stops earlier when no pair of adjacent tokens occurs twice. Required.
   */
  vocabSize: number;
}

/** The 512 byte tokens and the 2 special tokens every CLIP vocabulary holds. */
const FIXED_TOKENS = 514;
/** Pair keys are left * KEY_BASE + right; exact in a double for up to 2^21 tokens. */
const KEY_BASE = 2 ** 21;

/**
 * Learns byte-level BPE merges from a caption corpus, the way CLIP's vocabulary was built: texts are
 * cleaned and split exactly as ClipTokenizer does, and the most frequent adjacent pair (summed over word
 * occurrences; ties to the alphabetically first pair) is merged until the vocabulary is full. The result
 * has simple_tokenizer's id layout, so every file format can store it and ClipTokenizer uses it as is.
 */
export function trainBpe(corpus: Iterable<string>, options: TrainBpeOptions): BpeVocabulary {
  const { vocabSize } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < FIXED_TOKENS || vocabSize > KEY_BASE) {
    throw new ClipkitError(`trainBpe: vocabSize must be an integer from ${FIXED_TOKENS} (512 byte tokens + 2 special tokens) to ${KEY_BASE}, got ${vocabSize}`);
  }
  const tokens = openAiVocabulary([]).tokens.slice(0, 512) as string[];
  const known = new Set(tokens);
  const pairs = new PairStatistics(countWords(corpus), tokens);
  const merges: [string, string][] = [];
  while (FIXED_TOKENS + merges.length < vocabSize) {
    const best = pairs.mostFrequent((left, right) => !known.has(tokens[left] + tokens[right]));
    if (best === undefined) break;
    const [left, right] = best;
    const merged = tokens.length;
    tokens.push(tokens[left] + tokens[right]);
    known.add(tokens[merged]);
    merges.push([tokens[left], tokens[right]]);
    pairs.merge(left, right, merged);
  }
  return openAiVocabulary(merges);
}

/** Occurrences of each word (pre-token) in the cleaned corpus; special-token literals are not words. */
function countWords(corpus: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of corpus) {
    for (const word of preTokenize(cleanText(text))) {
      if (word !== START_OF_TEXT && word !== END_OF_TEXT) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

/** Words as token-id sequences, with the count of every adjacent pair and which words hold it. */
class PairStatistics {
  private readonly words: number[][] = [];
  private readonly weights: number[] = [];
  private readonly counts = new Map<number, number>();
  private readonly holders = new Map<number, Set<number>>();
  private readonly heap: PairHeap;

  constructor(
    wordCounts: ReadonlyMap<string, number>,
    readonly tokens: readonly string[],
  ) {
    const idOf = new Map(tokens.map((token, id) => [token, id]));
    const encoder = new TextEncoder();
    for (const [word, count] of wordCounts) {
      const bytes = [...encoder.encode(word)];
      const ids = bytes.map((byte, i) => idOf.get(BYTE_TO_CHAR[byte] + (i === bytes.length - 1 ? END_OF_WORD : '')) as number);
      this.words.push(ids);
      this.weights.push(count);
    }
    this.heap = new PairHeap(tokens);
    for (const w of this.words.keys()) this.addPairs(w, +1);
  }

  /** The most frequent pair that `allowed` accepts and that occurs at least twice. */
  mostFrequent(allowed: (left: number, right: number) => boolean): [number, number] | undefined {
    for (;;) {
      const top = this.heap.pop();
      if (top === undefined) return undefined;
      // Heap entries go stale as counts change; only one matching the current count is live.
      if (this.counts.get(top.key) !== top.count) continue;
      if (top.count < 2) return undefined;
      const left = Math.floor(top.key / KEY_BASE);
      const right = top.key % KEY_BASE;
      if (allowed(left, right)) return [left, right];
    }
  }

  /** Replaces every left,right in the words holding it with `merged`, left to right, and updates the counts. */
  merge(left: number, right: number, merged: number): void {
    const key = left * KEY_BASE + right;
    for (const w of [...(this.holders.get(key) ?? [])]) {
      this.addPairs(w, -1);
      const word = this.words[w];
      const next: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (word[i] === left && word[i + 1] === right) {
          next.push(merged);
          i++;
        } else {
          next.push(word[i]);
        }
      }
      this.words[w] = next;
      this.addPairs(w, +1);
    }
  }

  private addPairs(w: number, sign: 1 | -1): void {
    const word = this.words[w];
    const touched = new Set<number>();
    for (let i = 0; i + 1 < word.length; i++) {
      const key = word[i] * KEY_BASE + word[i + 1];
      this.counts.set(key, (this.counts.get(key) ?? 0) + sign * this.weights[w]);
      touched.add(key);
      let holders = this.holders.get(key);
      if (holders === undefined) {
        holders = new Set();
        this.holders.set(key, holders);
      }
      if (sign > 0) holders.add(w);
      else holders.delete(w);
    }
    for (const key of touched) {
      const count = this.counts.get(key) as number;
      if (count > 0) this.heap.push({ key, count });
    }
  }
}

interface PairEntry {
  key: number;
  count: number;
}

/** A max-heap of pairs by count, ties broken by the pair's token strings (left, then right) for a deterministic order. */
class PairHeap {
  private readonly items: PairEntry[] = [];

  constructor(private readonly tokens: readonly string[]) {}

  push(entry: PairEntry): void {
    const items = this.items;
    items.push(entry);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): PairEntry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(items[l], items[best])) best = l;
        if (r < items.length && this.before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }

  private before(a: PairEntry, b: PairEntry): boolean {
    if (a.count !== b.count) return a.count > b.count;
    const [al, ar] = [this.tokens[Math.floor(a.key / KEY_BASE)], this.tokens[a.key % KEY_BASE]];
    const [bl, br] = [this.tokens[Math.floor(b.key / KEY_BASE)], this.tokens[b.key % KEY_BASE]];
    return al !== bl ? al < bl : ar < br;
  }
}
