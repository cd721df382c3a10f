import { assembleClip, parseClipConfig, TOKENIZER } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from './clip-tokenizer.js';
import { clipBpeTokenizerPlugin } from './tokenizer-plugin.js';

// Truth: the fixture vocab.json + merges.txt and the reference ids of "a photo of a cat" (cases.jsonl line 1).

const MODEL = { embedDim: 8, vision: { type: 'vit' }, text: { type: 'transformer' } };

function resolveTokenizer(tokenizer: unknown, log: string[]) {
  const config = parseClipConfig({ model: MODEL, ...(tokenizer === undefined ? {} : { tokenizer }) });
  return assembleClip(config, [clipBpeTokenizerPlugin], { log: (m) => log.push(m) }).resolve(TOKENIZER);
}

describe('clipBpeTokenizerPlugin', () => {
  it('fills the TOKENIZER slot for tokenizer.type "clip-bpe" with the bundled OpenAI vocabulary by default', () => {
    const log: string[] = [];
    const tokenizer = resolveTokenizer(undefined, log);
    expect(tokenizer).toBeInstanceOf(ClipTokenizer);
    expect(tokenizer.encode('a photo of a cat')).toEqual([320, 1125, 539, 320, 2368]);
    expect(log.some((m) => m.includes('CLIP BPE, 49408 tokens from') && m.includes('bpe_simple_vocab_16e6.txt.gz'))).toBe(true);
  });

  it('loads tokenizer.path', () => {
    const tokenizer = resolveTokenizer({ type: 'clip-bpe', path: `${process.env.CLIPKIT_SHARED}/fixtures/tokenizer` }, []);
    expect([tokenizer.vocabSize, tokenizer.startOfTextId, tokenizer.endOfTextId]).toEqual([49408, 49406, 49407]);
    expect((tokenizer as ClipTokenizer).source).toBe(`${process.env.CLIPKIT_SHARED}/fixtures/tokenizer/vocab.json + ${process.env.CLIPKIT_SHARED}/fixtures/tokenizer/merges.txt`);
  });
});
