import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleClip, ConfigError, parseClipConfig, readClipConfig, TOKENIZER } from '@clipkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { SiglipTokenizer } from './siglip-tokenizer.js';
import { plugins, siglipTokenizerPlugin } from './siglip-tokenizer-plugin.js';
import { SIGLIP_TINY, SPIECE_MODEL, siglipTinyInputs } from './testdata.test-support.js';

// Truth: siglip-tiny's input_ids, made by transformers' SiglipTokenizer from the folder's files
// (padding="max_length", max_length 16, truncation).

// The towers' sections stay unchecked without their plug-ins: only the tokenizer section is under test here.
const MODEL = { embedDim: 8, vision: { type: 'siglip' }, text: { type: 'siglip' } };

function resolveTokenizer(tokenizer: unknown, log: string[] = []) {
  const config = parseClipConfig({ model: MODEL, tokenizer }, plugins);
  return assembleClip(config, plugins, { log: (m) => log.push(m) }).resolve(TOKENIZER);
}

const root = mkdtempSync(join(tmpdir(), 'clipkit-siglip-tokenizer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('siglipTokenizerPlugin', () => {
  it('fills the TOKENIZER slot for tokenizer.type "siglip" and reproduces the input_ids of a SigLIP folder', async () => {
    expect(plugins).toEqual([siglipTokenizerPlugin]);
    const log: string[] = [];
    const tokenizer = resolveTokenizer({ type: 'siglip', path: SIGLIP_TINY }, log);
    expect(tokenizer).toBeInstanceOf(SiglipTokenizer);
    const { texts, inputIds } = await siglipTinyInputs();
    expect([...tokenizer.tokenize(texts)]).toEqual([...inputIds]); // 16 per row: the folder's model_max_length
    expect([...tokenizer.tokenize(texts, { contextLength: 16 })]).toEqual([...inputIds]);
    expect(log).toEqual([`tokenizer: SigLIP SentencePiece, 1000 tokens, 16 per text, from ${SIGLIP_TINY}/spiece.model`]);
  });

  it('loads a spiece.model file given directly, with the settings of its folder', async () => {
    const tokenizer = resolveTokenizer({ type: 'siglip', path: `${SIGLIP_TINY}/spiece.model` });
    const { texts, inputIds } = await siglipTinyInputs();
    expect([...tokenizer.tokenize(texts)]).toEqual([...inputIds]);
    // A bare spiece.model (no tokenizer_config.json beside it) keeps SiglipTokenizer's default of 64 per text.
    expect((resolveTokenizer({ type: 'siglip', path: SPIECE_MODEL }) as SiglipTokenizer).modelMaxLength).toBe(64);
  });

  it("takes tokenizer.path relative to the config file's folder", () => {
    const file = join(root, 'run.json');
    writeFileSync(file, JSON.stringify({ model: MODEL, tokenizer: { type: 'siglip', path: 'vocab/spiece.model' } }));
    expect(readClipConfig(file, plugins).tokenizer).toEqual({ type: 'siglip', path: join(root, 'vocab/spiece.model') });
  });

  it('accepts a missing path until text is tokenized, then names tokenizer.path', () => {
    expect(parseClipConfig({ model: MODEL, tokenizer: { type: 'siglip' } }, plugins).tokenizer).toEqual({ type: 'siglip', path: null });
    expect(() => resolveTokenizer({ type: 'siglip' })).toThrow(/tokenizer\.path is null: SigLIP's tokenizer has no bundled vocabulary/);
  });

  it('rejects an empty path and unknown keys, naming them', () => {
    let problems: readonly { path: string }[] = [];
    try {
      parseClipConfig({ model: MODEL, tokenizer: { type: 'siglip', path: '', contextLength: 64 } }, plugins);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems.map((p) => p.path).sort()).toEqual(['tokenizer.contextLength', 'tokenizer.path']);
  });
});
