import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyTokenizerFiles } from './copy-tokenizer-files.js';

// Truth: the fixture folders' own files, compared byte for byte with the copies.
const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures`;
const SIGLIP_TINY = `${FIXTURES}/models/siglip-tiny`;

const fresh = () => mkdtempSync(join(tmpdir(), 'clipkit-tokenizer-copy-'));

describe('copyTokenizerFiles', () => {
  it("copies a SigLIP folder's SentencePiece files as they are and points the section at the copies", async () => {
    const out = fresh();
    const { section, files } = await copyTokenizerFiles({ type: 'siglip', path: SIGLIP_TINY }, out);
    expect(section).toEqual({ type: 'siglip', path: '.' });
    expect(files).toEqual(['spiece.model', 'tokenizer_config.json', 'special_tokens_map.json'].map((name) => join(out, name)));
    for (const name of readdirSync(out)) expect(readFileSync(join(out, name)).equals(readFileSync(join(SIGLIP_TINY, name))), name).toBe(true);
  });

  it('copies a tokenizer file given alone under its own name, with the settings beside it (none here)', async () => {
    const out = fresh();
    const { section, files } = await copyTokenizerFiles({ type: 'siglip', path: `${FIXTURES}/tokenizer-siglip/spiece.model` }, out);
    expect(section).toEqual({ type: 'siglip', path: 'spiece.model' });
    expect(files).toEqual([join(out, 'spiece.model')]);
  });

  it('leaves a section without a path, or whose folder holds no SentencePiece files, as it is', async () => {
    const out = fresh();
    expect(await copyTokenizerFiles({ type: 'siglip', path: null }, out)).toEqual({ section: { type: 'siglip', path: null }, files: [] });
    const folder = `${FIXTURES}/preprocess`;
    expect(await copyTokenizerFiles({ type: 'other', path: folder }, out)).toEqual({ section: { type: 'other', path: folder }, files: [] });
    expect(readdirSync(out)).toEqual([]);
  });
});
