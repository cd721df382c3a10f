import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { BpeVocabulary } from './bpe-vocabulary.js';
import { DEFAULT_VOCABULARY_PATH, loadBpeVocabulary, loadClipTokenizer } from './load-tokenizer.js';
import { writeTokenizerJson } from './write-tokenizer-files.js';

// Truth: the fixture vocab.json + merges.txt are SimpleTokenizer().encoder and its merges (fixtures README);
// every format must give the same vocabulary and the same ids as OpenAI's .gz on the reference texts.

const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/tokenizer`;
const TEXTS: string[] = readFileSync(`${FIXTURES}/cases.jsonl`, 'utf8')
  .trim()
  .split('\n')
  .map((line) => (JSON.parse(line) as { text: string }).text);
/** Vocabularies are compared whole (49,408 tokens, 48,894 merges) without the cost of a deep-equality diff. */
function sameVocabulary(a: BpeVocabulary, b: BpeVocabulary): boolean {
  return JSON.stringify(a.tokens) === JSON.stringify(b.tokens) && JSON.stringify(a.merges) === JSON.stringify(b.merges);
}

const dir = mkdtempSync(join(tmpdir(), 'clipkit-tokenizer-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadClipTokenizer', () => {
  const gz = loadClipTokenizer(`${FIXTURES}/bpe_simple_vocab_16e6.txt.gz`);

  it('loads the bundled vocabulary when given no path, identical to the fixture copy', () => {
    expect(DEFAULT_VOCABULARY_PATH.endsWith('assets/bpe_simple_vocab_16e6.txt.gz')).toBe(true);
    expect(readFileSync(DEFAULT_VOCABULARY_PATH).equals(readFileSync(`${FIXTURES}/bpe_simple_vocab_16e6.txt.gz`))).toBe(true);
    expect(sameVocabulary(loadClipTokenizer().vocabulary, gz.vocabulary)).toBe(true);
  });

  it('reads vocab.json + merges.txt into the same vocabulary and ids as the .gz', () => {
    const hf = loadClipTokenizer(`${FIXTURES}/vocab.json`);
    expect(sameVocabulary(hf.vocabulary, gz.vocabulary)).toBe(true);
    expect(sameVocabulary(loadClipTokenizer(`${FIXTURES}/merges.txt`).vocabulary, gz.vocabulary)).toBe(true);
    expect(TEXTS.map((t) => hf.encode(t))).toEqual(TEXTS.map((t) => gz.encode(t)));
  });

  it('reads a tokenizer.json (merges as strings or as pairs) into the same ids', async () => {
    await writeTokenizerJson(join(dir, 'tokenizer.json'), loadBpeVocabulary(`${FIXTURES}/vocab.json`).vocabulary);
    const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    expect([json.model.type, json.model.end_of_word_suffix, json.added_tokens.map((t: { id: number }) => t.id)]).toEqual(['BPE', '</w>', [49406, 49407]]);
    json.model.merges = json.model.merges.map((m: string) => m.split(' '));
    writeFileSync(join(dir, 'pairs.json'), JSON.stringify(json));
    for (const file of ['tokenizer.json', 'pairs.json']) {
      const fast = loadClipTokenizer(join(dir, file));
      expect(sameVocabulary(fast.vocabulary, gz.vocabulary)).toBe(true);
      expect(TEXTS.map((t) => fast.encode(t))).toEqual(TEXTS.map((t) => gz.encode(t)));
    }
  });

  it('finds the files in a model directory, preferring vocab.json + merges.txt', () => {
    const model = mkdtempSync(join(dir, 'model-'));
    copyFileSync(`${FIXTURES}/bpe_simple_vocab_16e6.txt.gz`, join(model, 'bpe_simple_vocab_16e6.txt.gz'));
    expect(loadBpeVocabulary(model).source).toBe(join(model, 'bpe_simple_vocab_16e6.txt.gz'));
    copyFileSync(`${FIXTURES}/vocab.json`, join(model, 'vocab.json'));
    copyFileSync(`${FIXTURES}/merges.txt`, join(model, 'merges.txt'));
    expect(loadBpeVocabulary(model).source).toBe(`${join(model, 'vocab.json')} + ${join(model, 'merges.txt')}`);
    expect(loadClipTokenizer(model).encode('a photo of a cat')).toEqual([320, 1125, 539, 320, 2368]);
  });

  it('names the missing file or directory and what it expected', () => {
    expect(() => loadClipTokenizer(join(dir, 'nope.txt.gz'))).toThrow(ClipkitError);
    expect(() => loadClipTokenizer(join(dir, 'nope.txt.gz'))).toThrow(`tokenizer file not found: ${join(dir, 'nope.txt.gz')}`);
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect(() => loadClipTokenizer(empty)).toThrow(`${empty}: no tokenizer files; expected vocab.json + merges.txt, tokenizer.json or bpe_simple_vocab_16e6.txt.gz`);
    const lonely = mkdtempSync(join(dir, 'lonely-'));
    copyFileSync(`${FIXTURES}/vocab.json`, join(lonely, 'my-vocab.json'));
    expect(() => loadClipTokenizer(join(lonely, 'my-vocab.json'))).toThrow(/needs merges.txt beside it/);
  });

  it('names the file and the line of a malformed merge, and a vocabulary missing a merged token', () => {
    writeFileSync(join(dir, 'bad.txt'), '#version: 0.2\na b\nc d e\n');
    expect(() => loadClipTokenizer(join(dir, 'bad.txt'))).toThrow(`${join(dir, 'bad.txt')}: line 3 must be a merge "left right"`);
    writeFileSync(join(dir, 'broken.json'), '{"model": ');
    expect(() => loadClipTokenizer(join(dir, 'broken.json'))).toThrow(/broken\.json: not valid JSON/);
    const json = { model: { type: 'BPE', vocab: { a: 0 }, merges: ['a a'] } };
    writeFileSync(join(dir, 'small.json'), JSON.stringify(json));
    expect(() => loadClipTokenizer(join(dir, 'small.json'))).toThrow(/small\.json: a byte token needs the token "\u0100"/);
  });
});
