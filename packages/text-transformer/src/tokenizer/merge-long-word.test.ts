import { SeededRandom } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { BytePairEncoding } from './bpe.js';
import { END_OF_WORD } from './bpe-vocabulary.js';
import { BYTE_TO_CHAR } from './byte-encoder.js';
import { loadBpeVocabulary } from './load-tokenizer.js';

// Truth: a line-by-line port of simple_tokenizer's `bpe` (OpenAI CLIP), on token strings: find the
// lowest-ranked pair, rebuild the word merging it left to right, repeat. Tolerance: identical ids.

const { vocabulary, source } = loadBpeVocabulary();
const ranks = new Map(vocabulary.merges.map(([a, b], rank) => [`${a} ${b}`, rank]));
const ids = new Map(vocabulary.tokens.map((token, id) => [token, id]));

function referenceBpe(word: string): number[] {
  const chars = [...new TextEncoder().encode(word)].map((byte) => BYTE_TO_CHAR[byte]);
  let symbols = [...chars.slice(0, -1), chars.at(-1) + END_OF_WORD];
  for (;;) {
    let best: [string, string] | undefined;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const rank = ranks.get(`${symbols[i]} ${symbols[i + 1]}`) ?? Infinity;
      if (rank < bestRank) [best, bestRank] = [[symbols[i], symbols[i + 1]], rank];
    }
    if (!best) break;
    const [first, second] = best;
    const merged: string[] = [];
    for (let i = 0; i < symbols.length; ) {
      if (symbols[i] === first && i < symbols.length - 1 && symbols[i + 1] === second) {
        merged.push(first + second);
        i += 2;
      } else merged.push(symbols[i++]);
    }
    symbols = merged;
  }
  return symbols.map((s) => ids.get(s)!);
}

describe('BPE of long words (mergeLongWord)', () => {
  const bpe = new BytePairEncoding(vocabulary, source);
  const random = new SeededRandom(16);
  const pick = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[random.int(alphabet.length)]).join('');

  it('gives the reference ids for random, repetitive and non-ASCII words of 65 to 1000 bytes', () => {
    const words = [
      'a'.repeat(65),
      'a'.repeat(1001),
      'ab'.repeat(700),
      'aaab'.repeat(300),
      ...Array.from({ length: 20 }, (_, i) => pick('abcdefghijklmnopqrstuvwxyz', 65 + i * 50)),
      ...Array.from({ length: 5 }, () => pick('etaoinshr', 1000)),
      ...Array.from({ length: 5 }, () => pick('éüßøπж中文', 300)),
    ];
    for (const word of words) expect(bpe.encodeWord(word), word.slice(0, 20)).toEqual(referenceBpe(word));
  });
});
