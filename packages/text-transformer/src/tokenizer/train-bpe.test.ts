import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError, SeededRandom } from '@clipkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanText } from './clean-text.js';
import { ClipTokenizer } from './clip-tokenizer.js';
import { loadClipTokenizer } from './load-tokenizer.js';
import { preTokenize } from './pre-tokenize.js';
import { trainBpe } from './train-bpe.js';
import { writeHfVocabulary, writeOpenAiMerges, writeTokenizerJson } from './write-tokenizer-files.js';

// Truth: hand-worked merges on tiny corpora, and invariants (round trip, file formats read back identically).

/** A deterministic caption corpus in the spirit of the synthetic-shapes data, with some punctuation and non-ASCII. */
function captions(count: number, seed: number): string[] {
  const rng = new SeededRandom(seed);
  const pick = (words: string[]) => words[rng.int(words.length)];
  return Array.from(
    { length: count },
    () =>
      `A photo of a ${pick(['small', 'large', 'tiny'])} ${pick(['red', 'green', 'blue', 'yellow'])} ${pick(['circle', 'square', 'triangle'])} ` +
      `${pick(['at the top', 'in the centre', 'on the left.', 'on the right!'])}${pick(['', ' (No. 7)', ' — café', ' 日本'])}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'clipkit-train-bpe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trainBpe', () => {
  it('merges the most frequent pair first, summed over word occurrences', () => {
    // "ab" x3 and "abc": (a, b</w>) occurs 3 times, every other pair once, so it is the only merge.
    const vocabulary = trainBpe(['ab ab ab', 'abc'], { vocabSize: 600 });
    expect(vocabulary.merges).toEqual([['a', 'b</w>']]);
    expect(vocabulary.tokens.length).toBe(515);
    expect(new ClipTokenizer(vocabulary).encode('ab abc')).toEqual([512, 64, 65, 322]);
  });

  it('breaks ties by the pair in alphabetical order and stops at vocabSize', () => {
    expect(trainBpe(['cd cd ab ab'], { vocabSize: 600 }).merges).toEqual([
      ['a', 'b</w>'],
      ['c', 'd</w>'],
    ]);
    expect(trainBpe(['cd cd ab ab'], { vocabSize: 515 }).merges).toEqual([['a', 'b</w>']]);
  });

  it('learns a small vocabulary that round-trips its corpus and shortens it', () => {
    const corpus = captions(300, 1);
    const vocabulary = trainBpe(corpus, { vocabSize: 560 });
    expect(vocabulary.tokens.length).toBe(560);
    const tokenizer = new ClipTokenizer(vocabulary);
    expect([tokenizer.startOfTextId, tokenizer.endOfTextId]).toEqual([558, 559]);
    let tokens = 0;
    let bytes = 0;
    for (const text of [...corpus, ...captions(50, 2), 'Unseen words: zebra, Ωμέγα, 🚀!']) {
      const words = preTokenize(cleanText(text));
      const ids = tokenizer.encode(text);
      expect(ids.every((id) => id >= 0 && id < 558)).toBe(true);
      expect(tokenizer.decode(ids)).toBe(words.map((word) => `${word} `).join(''));
      tokens += ids.length;
      bytes += words.reduce((sum, word) => sum + new TextEncoder().encode(word).length, 0);
    }
    expect(tokenizer.encode('a photo of the')).toHaveLength(4); // the most frequent words are single tokens
    expect(tokens / bytes).toBeLessThan(0.6); // 46 merges already save 40% of the byte tokens
  });

  it('stops early when no pair occurs twice', () => {
    const size = trainBpe(captions(300, 1), { vocabSize: 5000 }).tokens.length;
    expect(size).toBeGreaterThan(560);
    expect(size).toBeLessThan(5000);
  });

  it('is deterministic', () => {
    const corpus = captions(100, 3);
    expect(trainBpe(corpus, { vocabSize: 600 })).toEqual(trainBpe(corpus, { vocabSize: 600 }));
  });

  it('writes every file format, and the loader reads each back to the same tokenizer', async () => {
    const corpus = captions(200, 4);
    const trained = new ClipTokenizer(trainBpe(corpus, { vocabSize: 650 }));
    await writeOpenAiMerges(join(dir, 'bpe.txt.gz'), trained.vocabulary);
    await writeHfVocabulary(dir, trained.vocabulary);
    await writeTokenizerJson(join(dir, 'tokenizer.json'), trained.vocabulary);
    for (const file of ['bpe.txt.gz', 'vocab.json', 'tokenizer.json']) {
      const loaded = loadClipTokenizer(join(dir, file));
      expect(loaded.vocabulary).toEqual(trained.vocabulary);
      expect(corpus.map((t) => loaded.encode(t))).toEqual(corpus.map((t) => trained.encode(t)));
    }
  });

  it('rejects a vocabSize without room for the byte and special tokens', () => {
    expect(() => trainBpe(['a'], { vocabSize: 513 })).toThrow(ClipkitError);
    expect(() => trainBpe(['a'], { vocabSize: 513 })).toThrow('trainBpe: vocabSize must be an integer from 514');
  });
});
