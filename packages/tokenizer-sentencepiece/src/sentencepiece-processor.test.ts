import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SentencePieceProcessor } from './sentencepiece-processor.js';
import { loadTestModel, SENTENCEPIECE_CASES, type TestModel, testdataPath } from './testdata.test-support.js';

// Truth: testdata/sentencepiece-cases.jsonl, 1,100 random stress texts (controls, NUL, every kind of
// whitespace, NFKC-sensitive characters, combining marks, CJK, emoji, "▁", literal "<unk>") run through the
// real sentencepiece 0.1.97: the SigLIP fixture's spiece.model with and without the dummy prefix, a model with
// its own normalization rules, user-defined and control symbols, and a treat_whitespace_as_suffix model.
// testdata/decode-cases.json adds decodes of piece lists chosen around the start of the text. Tolerance: exact
// pieces, ids and decoded strings.

/** testdata/decode-cases.json: sentencepiece's decode of hand-picked piece lists, per model. */
const DECODE_CASES = JSON.parse(readFileSync(testdataPath('decode-cases.json'), 'utf8')) as Record<string, [string[], string][]>;

const processors = new Map<string, SentencePieceProcessor>();
function processorFor(model: TestModel, addDummyPrefix: boolean): SentencePieceProcessor {
  const key = `${model} ${addDummyPrefix}`;
  if (!processors.has(key)) processors.set(key, new SentencePieceProcessor(loadTestModel(model), { addDummyPrefix }));
  return processors.get(key)!;
}

const GROUPS = [
  ['spiece', true],
  ['spiece', false],
  ['rules', true],
  ['suffix', true],
] as const;

describe('SentencePieceProcessor against sentencepiece 0.1.97', () => {
  it.each(GROUPS)('encodes every %s (add_dummy_prefix %s) case to the same pieces and ids', (model, prefix) => {
    const cases = SENTENCEPIECE_CASES.filter((c) => c.model === model && c.add_dummy_prefix === prefix);
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const processor = processorFor(model, prefix);
    for (const c of cases) {
      const encoded = processor.encode(c.text);
      expect({ text: c.text, pieces: encoded.map((p) => p.piece), ids: encoded.map((p) => p.id) }).toEqual({ text: c.text, pieces: c.pieces, ids: c.ids });
    }
  });

  it.each(GROUPS)('decodes every %s (add_dummy_prefix %s) case from its ids and from its pieces', (model, prefix) => {
    const processor = processorFor(model, prefix);
    for (const c of SENTENCEPIECE_CASES.filter((c) => c.model === model && c.add_dummy_prefix === prefix)) {
      const fromIds = processor.decodePieces(c.ids.map((id) => processor.idToPiece(id)));
      expect({ text: c.text, fromIds, fromPieces: processor.decodePieces(c.pieces) }).toEqual({ text: c.text, fromIds: c.decoded, fromPieces: c.decoded_pieces });
    }
  });

  it.each(Object.entries(DECODE_CASES))('decodes hand-picked starts of text (leading "▁", controls, <unk>) for %s', (name, cases) => {
    const processor = name === 'spiece-no-prefix' ? processorFor('spiece', false) : processorFor(name as TestModel, true);
    for (const [pieces, decoded] of cases) expect({ pieces, decoded: processor.decodePieces(pieces) }).toEqual({ pieces, decoded });
  });

  it('covers what the cases are meant to: merged unknown runs, user-defined symbols, controls and NUL', () => {
    const count = (predicate: (c: (typeof SENTENCEPIECE_CASES)[number]) => boolean) => SENTENCEPIECE_CASES.filter(predicate).length;
    expect(count((c) => c.model === 'spiece' && c.pieces.some((p, i) => c.ids[i] === 2 && [...p].length > 1))).toBeGreaterThan(50);
    expect(count((c) => c.model === 'rules' && c.pieces.some((p) => p === '\ufb01x' || p === '<sep>'))).toBeGreaterThan(10);
    expect(count((c) => c.text.includes('\0'))).toBeGreaterThan(20);
  });

  it('encodes a lone surrogate as U+FFFD, as TextEncoder does (Python refuses such strings)', () => {
    const processor = processorFor('spiece', true);
    expect(processor.encode('a\ud800b\udc00')).toEqual(processor.encode('a\ufffdb\ufffd'));
  });

  it('maps pieces to ids as PieceToId does: reserved pieces, then the others, else <unk>', () => {
    const processor = processorFor('spiece', true);
    expect(['</s>', '<pad>', '<unk>', '▁a', 'not a piece'].map((p) => processor.pieceToId(p))).toEqual([1, 0, 2, 3, 2]);
    expect(() => processor.idToPiece(1000)).toThrow(/id 1000 is not a piece id \(0\.\.999\)/);
  });
});
