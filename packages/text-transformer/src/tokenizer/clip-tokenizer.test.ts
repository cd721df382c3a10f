import { readFileSync } from 'node:fs';
import { ClipkitError, SeededRandom } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import type { ClipTokenizer } from './clip-tokenizer.js';
import { loadClipTokenizer } from './load-tokenizer.js';

// Truth: /work/shared/fixtures/tokenizer/cases.jsonl, produced by OpenAI's simple_tokenizer + clip.tokenize
// (with ftfy 6.3.1). Tolerance: exact equality of ids, the 77-token rows and decoded strings.

interface Case {
  text: string;
  ids: number[];
  tokens: number[];
  category: string;
  decoded: string;
}

const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/tokenizer`;
const CASES: Case[] = readFileSync(`${FIXTURES}/cases.jsonl`, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Case);

/** Mojibake cases whose ftfy repair is not reproduced; empty, so any regression fails. */
const KNOWN_MOJIBAKE_FAILURES: string[] = [];

const tokenizer: ClipTokenizer = loadClipTokenizer();

function matches(c: Case): boolean {
  return (
    JSON.stringify(tokenizer.encode(c.text)) === JSON.stringify(c.ids) &&
    JSON.stringify([...tokenizer.tokenize([c.text])]) === JSON.stringify(c.tokens) &&
    tokenizer.decode(c.ids) === c.decoded
  );
}

describe('ClipTokenizer on the reference cases', () => {
  const categories = [...new Set(CASES.map((c) => c.category))];

  it('covers the 400 cases in 9 categories', () => {
    expect([CASES.length, categories.length]).toEqual([400, 9]);
  });

  it.each(categories.filter((category) => category !== 'mojibake'))('matches every %s case exactly', (category) => {
    for (const c of CASES.filter((x) => x.category === category)) {
      expect({ text: c.text, ids: tokenizer.encode(c.text) }).toEqual({ text: c.text, ids: c.ids });
      expect([...tokenizer.tokenize([c.text])]).toEqual(c.tokens);
      expect(tokenizer.decode(c.ids)).toBe(c.decoded);
    }
  });

  it('repairs mojibake as ftfy does, failing only the known cases', () => {
    const mojibake = CASES.filter((c) => c.category === 'mojibake');
    const failures = mojibake.filter((c) => !matches(c)).map((c) => c.text);
    console.log(`mojibake: ${mojibake.length - failures.length}/${mojibake.length} cases match`);
    expect(failures).toEqual(KNOWN_MOJIBAKE_FAILURES);
  });

  it('tokenizes all cases in one call as row after row', () => {
    const rows = tokenizer.tokenize(CASES.map((c) => c.text));
    expect(rows.length).toBe(CASES.length * 77);
    expect([...rows.subarray(77 * 123, 77 * 124)]).toEqual(CASES[123].tokens);
  });
});

describe('ClipTokenizer special tokens', () => {
  it('has OpenAI ids 49406 and 49407 and 49408 tokens', () => {
    expect([tokenizer.startOfTextId, tokenizer.endOfTextId, tokenizer.vocabSize]).toEqual([49406, 49407, 49408]);
  });

  it('encodes the literal special tokens in text as their ids and decodes them as their names', () => {
    const ids = tokenizer.encode('<|startoftext|>a cat<|endoftext|>');
    expect(ids).toEqual([49406, ...tokenizer.encode('a cat'), 49407]);
    expect(tokenizer.decode([49406, 320, 49407])).toBe('<|startoftext|>a <|endoftext|>');
  });

  it('rejects ids outside the vocabulary, naming the position', () => {
    expect(() => tokenizer.decode([320, 49408])).toThrow(/id 49408 at position 1/);
  });
});

describe('ClipTokenizer.tokenize truncation', () => {
  const long = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');

  it('keeps the first 76 tokens and ends with the end token, as clip.tokenize(truncate=True)', () => {
    const ids = tokenizer.encode(long);
    expect(ids.length).toBeGreaterThan(76);
    expect([...tokenizer.tokenize([long])]).toEqual([49406, ...ids.slice(0, 75), 49407]);
  });

  it('zero-pads short texts to the context length', () => {
    const ids = tokenizer.encode('a dog');
    expect([...tokenizer.tokenize(['a dog'], { contextLength: 8 })]).toEqual([49406, ...ids, 49407, 0, 0, 0, 0]);
  });

  it('names the text index and its length when truncation is off', () => {
    const length = tokenizer.encode(long).length + 2;
    const call = () => tokenizer.tokenize(['a dog', long], { truncate: false });
    expect(call).toThrow(ClipkitError);
    expect(call).toThrow(expect.objectContaining({ index: 1, length, contextLength: 77 }));
    expect(call).toThrow(`tokenize: text 1 is ${length} tokens long (start and end included), more than the context length 77`);
    expect([...tokenizer.tokenize(['a dog'], { contextLength: 4, truncate: false })]).toEqual([49406, 320, 1929, 49407]);
  });

  it('rejects a context length without room for the start and end tokens', () => {
    expect(() => tokenizer.tokenize(['a'], { contextLength: 1 })).toThrow(/contextLength must be an integer >= 2/);
  });
});

describe('ClipTokenizer fast path', () => {
  it('gives plain ASCII the same ids as the full cleaning (a trailing control character forces it; ftfy deletes it)', () => {
    const rng = new SeededRandom(3);
    const alphabet = "abcXYZ09 '\t\n\f.,!?<|>sdtmlrev-_";
    for (let n = 0; n < 500; n++) {
      const text = Array.from({ length: rng.int(30) }, () => alphabet[rng.int(alphabet.length)]).join('');
      expect(tokenizer.encode(text)).toEqual(tokenizer.encode(`${text}\u0001`));
    }
  });

  it('gives the same ids with an empty word cache', () => {
    const texts = CASES.slice(0, 50).map((c) => c.text);
    const warm = texts.map((t) => tokenizer.encode(t));
    tokenizer.clearCache();
    expect(texts.map((t) => tokenizer.encode(t))).toEqual(warm);
  });
});
