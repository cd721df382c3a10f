import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleClip, ConfigError, parseClipConfig, readClipConfig, TOKENIZER } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from './clip-tokenizer.js';
import { clipBpeTokenizerPlugin } from './tokenizer-plugin.js';

// Truth: the fixture vocab.json + merges.txt and the reference ids of "a photo of a cat" (cases.jsonl line 1).

const MODEL = { embedDim: 8, vision: { type: 'vit' }, text: { type: 'transformer' } };
const PLUGINS = [clipBpeTokenizerPlugin];
const FIXTURE_TOKENIZER = `${process.env.CLIPKIT_SHARED}/fixtures/tokenizer`;

function resolveTokenizer(tokenizer: unknown, log: string[]) {
  const config = parseClipConfig({ model: MODEL, ...(tokenizer === undefined ? {} : { tokenizer }) }, PLUGINS);
  return assembleClip(config, PLUGINS, { log: (m) => log.push(m) }).resolve(TOKENIZER);
}

describe('clipBpeTokenizerPlugin', () => {
  it('fills the TOKENIZER slot for tokenizer.type "clip-bpe" (the default type) with the bundled OpenAI vocabulary by default', () => {
    const log: string[] = [];
    const tokenizer = resolveTokenizer(undefined, log);
    expect(tokenizer).toBeInstanceOf(ClipTokenizer);
    expect(tokenizer.encode('a photo of a cat')).toEqual([320, 1125, 539, 320, 2368]);
    expect(log.some((m) => m.includes('CLIP BPE, 49408 tokens from') && m.includes('bpe_simple_vocab_16e6.txt.gz'))).toBe(true);
  });

  it('loads tokenizer.path', () => {
    const tokenizer = resolveTokenizer({ type: 'clip-bpe', path: FIXTURE_TOKENIZER }, []);
    expect([tokenizer.vocabSize, tokenizer.startOfTextId, tokenizer.endOfTextId]).toEqual([49408, 49406, 49407]);
    expect((tokenizer as ClipTokenizer).source).toBe(`${FIXTURE_TOKENIZER}/vocab.json + ${FIXTURE_TOKENIZER}/merges.txt`);
  });

  it("takes tokenizer.path relative to the config file's folder", () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-tokenizer-'));
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ model: MODEL, tokenizer: { type: 'clip-bpe', path: 'vocab/vocab.json' } }));
    expect(readClipConfig(file, PLUGINS).tokenizer).toEqual({ type: 'clip-bpe', path: join(dir, 'vocab/vocab.json') });
  });

  it('rejects an empty path and unknown keys, naming them', () => {
    let problems: readonly { path: string }[] = [];
    try {
      parseClipConfig({ model: MODEL, tokenizer: { type: 'clip-bpe', path: '', vocab: 'x' } }, PLUGINS);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems.map((p) => p.path).sort()).toEqual(['tokenizer.path', 'tokenizer.vocab']);
  });
});
