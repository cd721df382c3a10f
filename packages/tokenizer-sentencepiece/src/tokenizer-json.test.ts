import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSentencePieceModel } from './sentencepiece-model.js';
import { SentencePieceModelError } from './sentencepiece-model-error.js';
import { SentencePieceProcessor } from './sentencepiece-processor.js';
import { SiglipTokenizer } from './siglip-tokenizer.js';
import { loadTestModel, SENTENCEPIECE_CASES, SIGLIP_CASES, SPIECE_MODEL } from './testdata.test-support.js';
import { sentencePieceModelFromTokenizerJson, tokenizerJsonFromSentencePieceModel, writeTokenizerJson } from './tokenizer-json.js';

// Truth: the model read back from the tokenizer.json must equal the spiece.model it was written from (pieces,
// float32 scores, types, charsmap bytes, normalizer flags), and so give the fixture's 300 SigLIP rows and
// sentencepiece's own encodings of the rules model's cases. The format follows tokenizers' serialization
// (Unigram, Precompiled, Strip, Replace, Metaspace, TemplateProcessing) as transformers' SpmConverter writes it.

const dir = mkdtempSync(join(tmpdir(), 'clipkit-sentencepiece-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spiece = readSentencePieceModel(SPIECE_MODEL);
const roundTrip = (json: unknown) => sentencePieceModelFromTokenizerJson(JSON.parse(JSON.stringify(json)), 'tokenizer.json');

describe('tokenizer.json from a SentencePiece model', () => {
  it('writes the SpmConverter layout: Unigram vocab, Precompiled + whitespace steps, Metaspace, eos appended', async () => {
    await writeTokenizerJson(join(dir, 'tokenizer.json'), spiece);
    const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    expect(json.model.type).toBe('Unigram');
    expect(json.model.unk_id).toBe(2);
    expect(json.model.vocab.slice(0, 4)).toEqual([
      ['<pad>', 0],
      ['</s>', 0],
      ['<unk>', 0],
      ['▁a', -2.4126760959625244],
    ]);
    expect(json.normalizer.normalizers.map((n: { type: string }) => n.type)).toEqual(['Precompiled', 'Strip', 'Replace']);
    expect(Buffer.from(json.normalizer.normalizers[0].precompiled_charsmap, 'base64').equals(Buffer.from(spiece.normalizerSpec.precompiledCharsmap))).toBe(true);
    expect(json.pre_tokenizer).toEqual({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true });
    expect(json.post_processor.single).toEqual([{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }]);
    expect(json.post_processor.special_tokens['</s>'].ids).toEqual([1]);
    expect(json.added_tokens.map((t: { id: number; content: string; special: boolean }) => [t.id, t.content, t.special])).toEqual([
      [0, '<pad>', true],
      [1, '</s>', true],
      [2, '<unk>', true],
    ]);
  });

  it.each(['spiece', 'rules'] as const)('reads back the %s model it was written from', (name) => {
    const model = loadTestModel(name);
    const back = roundTrip(tokenizerJsonFromSentencePieceModel(model));
    expect(back.pieces).toEqual(model.pieces);
    expect(Buffer.from(back.normalizerSpec.precompiledCharsmap).equals(Buffer.from(model.normalizerSpec.precompiledCharsmap))).toBe(true);
    const flags = ({ addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces }: typeof model.normalizerSpec) => [addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces];
    expect(flags(back.normalizerSpec)).toEqual(flags(model.normalizerSpec));
  });

  it('gives the 300 fixture rows from the tokenizer.json', () => {
    const tokenizer = new SiglipTokenizer(roundTrip(tokenizerJsonFromSentencePieceModel(spiece)));
    const rows = tokenizer.tokenize(
      SIGLIP_CASES.map((c) => c.text),
      { contextLength: 16 },
    );
    SIGLIP_CASES.forEach((c, i) => {
      expect({ text: c.text, pieces: tokenizer.pieces(c.text), row: [...rows.subarray(i * 16, i * 16 + 16)] }).toEqual({ text: c.text, pieces: c.pieces, row: c.padded });
      expect([...tokenizer.tokenize([c.text], { contextLength: Math.max(c.ids.length, 1) })]).toEqual(c.ids);
    });
  });

  it("gives sentencepiece's encodings of the rules model (user-defined and control symbols) from its tokenizer.json", () => {
    const processor = new SentencePieceProcessor(roundTrip(tokenizerJsonFromSentencePieceModel(loadTestModel('rules'))));
    for (const c of SENTENCEPIECE_CASES.filter((c) => c.model === 'rules'))
      expect({ text: c.text, ids: processor.encode(c.text).map((p) => p.id) }).toEqual({ text: c.text, ids: c.ids });
  });

  it('refuses to write what a Metaspace pre-tokenizer cannot express', () => {
    expect(() => tokenizerJsonFromSentencePieceModel(loadTestModel('suffix'))).toThrow(/suffix\.model: treat_whitespace_as_suffix is on/);
    expect(() => tokenizerJsonFromSentencePieceModel(spiece, { eosToken: '<eos>' })).toThrow(/the end token "<eos>" is not a piece/);
  });
});

/** The parts of a tokenizer.json the rejection cases edit. */
interface TokenizerJson {
  model: { type: string; byte_fallback: boolean; vocab: unknown[][]; unk_id: number };
  added_tokens: { content: string }[];
  normalizer: { type?: string; normalizers?: object[]; precompiled_charsmap?: string };
  pre_tokenizer: object;
}

describe('sentencePieceModelFromTokenizerJson on other files', () => {
  const base = () => JSON.parse(JSON.stringify(tokenizerJsonFromSentencePieceModel(loadTestModel('rules')))) as TokenizerJson;

  it('reads older files: add_prefix_space instead of prepend_scheme, " " as the collapsed space, a lone Precompiled', () => {
    const json = base();
    json.pre_tokenizer = { type: 'Metaspace', replacement: '▁', add_prefix_space: false, str_rep: '▁' };
    json.normalizer = { type: 'Sequence', normalizers: [{ type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }] };
    const model = sentencePieceModelFromTokenizerJson(json, 'old.json');
    expect([model.normalizerSpec.addDummyPrefix, model.normalizerSpec.removeExtraWhitespaces]).toEqual([false, true]);
    json.normalizer = { type: 'Precompiled', precompiled_charsmap: Buffer.from(spiece.normalizerSpec.precompiledCharsmap).toString('base64') };
    expect(sentencePieceModelFromTokenizerJson(json, 'old.json').normalizerSpec.removeExtraWhitespaces).toBe(false);
  });

  it.each([
    ['a BPE model', (j: TokenizerJson) => (j.model.type = 'BPE'), /model\.type must be "Unigram", got "BPE"/],
    ['byte fallback', (j: TokenizerJson) => (j.model.byte_fallback = true), /byte_fallback is true/],
    ['a bad vocab entry', (j: TokenizerJson) => (j.model.vocab[j.model.vocab.length - 1] = ['x']), /model\.vocab\[\d+\] must be \[piece, score\], got \["x"\]/],
    ['an unk_id outside the vocab', (j: TokenizerJson) => (j.model.unk_id = 1e6), /model\.unk_id must be the id of a vocab entry/],
    ['an added token that is not its vocab entry', (j: TokenizerJson) => (j.added_tokens[0].content = '<other>'), /added_tokens\[0\] \("<other>", id \d+\) is not model\.vocab/],
    [
      'a normalizer it does not run',
      (j: TokenizerJson) => j.normalizer.normalizers?.push({ type: 'Lowercase' }),
      /normalizer\.normalizers\[1\] \(\{"type":"Lowercase"\}\) is not supported/,
    ],
    ['no Metaspace', (j: TokenizerJson) => (j.pre_tokenizer = { type: 'Whitespace' }), /pre_tokenizer must be a Metaspace/],
    ['duplicate pieces', (j: TokenizerJson) => (j.model.vocab[10] = [...j.model.vocab[11]]), /is defined twice/],
  ])('rejects %s, naming the file and field', (_name, edit, message) => {
    const json = base();
    edit(json);
    expect(() => sentencePieceModelFromTokenizerJson(json, 'bad/tokenizer.json')).toThrow(SentencePieceModelError);
    expect(() => sentencePieceModelFromTokenizerJson(json, 'bad/tokenizer.json')).toThrow(/^bad\/tokenizer\.json: /);
    expect(() => sentencePieceModelFromTokenizerJson(json, 'bad/tokenizer.json')).toThrow(message);
  });
});
