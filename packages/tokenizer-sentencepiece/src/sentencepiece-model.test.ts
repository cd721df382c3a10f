import { readFileSync } from 'node:fs';
import { SeededRandom } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { PieceType, parseSentencePieceModel, readSentencePieceModel } from './sentencepiece-model.js';
import { SentencePieceModelError } from './sentencepiece-model-error.js';
import { SentencePieceProcessor } from './sentencepiece-processor.js';
import { loadTestModel, SPIECE_MODEL, VOCABS } from './testdata.test-support.js';

// Truth: what the real sentencepiece 0.1.97 reports for the same files (testdata/vocab.json), the fixture
// README (nmt_nfkc, add_dummy_prefix and remove_extra_whitespaces on, no byte fallback), and protobuf's
// encoding rules for the hand-made malformed files.

const SPIECE = readFileSync(SPIECE_MODEL);

describe('readSentencePieceModel', () => {
  it.each(['spiece', 'rules', 'suffix'] as const)('reads every piece, score and type of %s as sentencepiece does', (name) => {
    const model = loadTestModel(name);
    expect(model.pieces.map((p) => [p.piece, p.score, p.type])).toEqual(VOCABS[name]);
  });

  it("reads the fixture's normalizer and trainer specs", () => {
    const { normalizerSpec, trainerSpec, pieces } = readSentencePieceModel(SPIECE_MODEL);
    expect(pieces.length).toBe(1000);
    expect(normalizerSpec.name).toBe('nmt_nfkc');
    expect(normalizerSpec.precompiledCharsmap.length).toBe(237561); // the length-delimited field's size in the file
    expect([normalizerSpec.addDummyPrefix, normalizerSpec.removeExtraWhitespaces, normalizerSpec.escapeWhitespaces]).toEqual([true, true, true]);
    expect(trainerSpec).toEqual({ modelType: 1, treatWhitespaceAsSuffix: false, byteFallback: false, unkSurface: ' \u2047 ' });
    expect(loadTestModel('suffix').trainerSpec.treatWhitespaceAsSuffix).toBe(true);
    expect(loadTestModel('rules').normalizerSpec.removeExtraWhitespaces).toBe(false);
  });

  it('names the file when it cannot be read', () => {
    expect(() => readSentencePieceModel('/nonexistent/spiece.model')).toThrow(/^\/nonexistent\/spiece\.model: cannot read the file/);
  });
});

const varint = (value: number): number[] => (value < 0x80 ? [value] : [(value & 0x7f) | 0x80, ...varint(value >>> 7)]);
/** A serialized field: tag and payload. */
const field = (number: number, wireType: number, payload: number[]) => [...varint((number << 3) | wireType), ...payload];
const lengthDelimited = (number: number, bytes: number[]) => field(number, 2, [...varint(bytes.length), ...bytes]);
const piece = (text: string, type?: number) => lengthDelimited(1, [...lengthDelimited(1, [...Buffer.from(text)]), ...(type === undefined ? [] : field(3, 0, [type]))]);
const VALID = [...piece('<unk>', PieceType.UNKNOWN), ...piece('a'), ...piece('b')];

describe('parseSentencePieceModel on malformed input', () => {
  const expectError = (bytes: Uint8Array | number[], message: RegExp) => {
    const parse = () => parseSentencePieceModel(Uint8Array.from(bytes), 'bad/spiece.model');
    expect(parse).toThrow(SentencePieceModelError);
    expect(parse).toThrow(/^bad\/spiece\.model: /);
    expect(parse).toThrow(message);
    try {
      parse();
    } catch (error) {
      expect((error as SentencePieceModelError).file).toBe('bad/spiece.model');
    }
  };

  it('accepts the hand-made minimal model the error cases derive from', () => {
    expect(parseSentencePieceModel(Uint8Array.from(VALID), 'ok.model').pieces.map((p) => p.piece)).toEqual(['<unk>', 'a', 'b']);
  });

  it('rejects an empty file', () => expectError([], /the file is empty/));
  it('rejects a file cut inside a length-delimited field', () => expectError(VALID.slice(0, -1), /runs past the end/));
  it('rejects a file cut inside a varint', () => expectError([...VALID, ...field(4, 0, [0x96])], /varint runs past the end/));
  it('rejects pieces with the wrong wire type', () => expectError([...VALID, ...field(1, 0, [1])], /field pieces \(1\) has wire type 0, expected 2/));
  it('rejects a score with the wrong wire type', () => expectError([...VALID, ...lengthDelimited(1, field(2, 0, [1]))], /pieces\[3\]\.score \(2\) has wire type 0, expected 5/));
  it('rejects a length past the end', () => expectError([...VALID, 0x0a, 0x7f, 0x01], /length 127 runs past the end/));
  it('rejects a group wire type', () => expectError([...VALID, 0x13], /wire type 3/));
  it('rejects a piece that is not UTF-8', () => expectError([...VALID, ...lengthDelimited(1, lengthDelimited(1, [0xff]))], /not valid UTF-8/));
  it('rejects an unknown piece type', () => expectError([...VALID, ...piece('c', 9)], /pieces\[3\]\.type is 9/));
  it('rejects a model without <unk>', () => expectError([...piece('a'), ...piece('b')], /exactly one piece of type UNKNOWN/));
  it('rejects an empty or duplicated piece', () => {
    expectError([...VALID, ...lengthDelimited(1, [])], /piece 3 is empty/);
    expectError([...VALID, ...piece('a')], /piece 3 \("a"\) is defined twice/);
  });
  it('rejects BPE models and byte fallback, which it does not run', () => {
    expectError([...VALID, ...lengthDelimited(2, field(3, 0, [2]))], /model_type is 2; only unigram models \(1\)/);
    expectError([...VALID, ...lengthDelimited(2, field(35, 0, [1]))], /byte_fallback is on/);
  });
  it('rejects a charsmap too short or whose trie exceeds it', () => {
    const withCharsmap = (blob: number[]) =>
      new SentencePieceProcessor(parseSentencePieceModel(Uint8Array.from([...VALID, ...lengthDelimited(3, lengthDelimited(2, blob))]), 'bad/spiece.model'));
    expect(() => withCharsmap([1, 0, 0])).toThrow(/precompiled_charsmap: 3 bytes, too short/);
    expect(() => withCharsmap([100, 0, 0, 0, 1, 2])).toThrow(/the trie size 100 exceeds the 6-byte blob/);
    expect(() => withCharsmap([4, 0, 0, 0, 0, 0, 0, 0, 7])).toThrow(/do not end with a NUL byte/);
  });

  it('fails cleanly on the fixture cut at 300 random places', () => {
    const rng = new SeededRandom(11);
    for (let i = 0; i < 300; i++) {
      const cut = rng.int(SPIECE.length);
      try {
        // A cut between two fields is a shorter valid message (protobuf cannot tell), so parsing may succeed.
        parseSentencePieceModel(SPIECE.subarray(0, cut), `cut-${cut}`);
      } catch (error) {
        expect(error).toBeInstanceOf(SentencePieceModelError);
        expect((error as Error).message.startsWith(`cut-${cut}: `)).toBe(true);
      }
    }
    // Inside the charsmap (which ends the file but for the last 4 bytes of flags): always an error.
    expect(() => parseSentencePieceModel(SPIECE.subarray(0, SPIECE.length - 10), 'cut')).toThrow(/runs past the end|bytes needed/);
  });

  it('never throws anything but SentencePieceModelError on 500 randomly corrupted models, and encodes with those it accepts', () => {
    const rng = new SeededRandom(12);
    const texts = ['a photo of a cat', 'ﬁ ½ ℌ𝔢𝔩𝔩𝔬 日本語', '  x\u3000\t y  '];
    let accepted = 0;
    for (let i = 0; i < 500; i++) {
      const bytes = Uint8Array.from(SPIECE);
      // Corrupts the pieces and specs (the first 14 kB) or the charsmap, a few bytes at a time.
      const region = rng.int(2) === 0 ? 14_000 : bytes.length;
      for (let k = 1 + rng.int(4); k > 0; k--) bytes[rng.int(region)] = rng.int(256);
      try {
        const processor = new SentencePieceProcessor(parseSentencePieceModel(bytes, `corrupt-${i}`));
        for (const text of texts) processor.encode(text);
        accepted++;
      } catch (error) {
        expect(error).toBeInstanceOf(SentencePieceModelError);
        expect((error as Error).message.startsWith(`corrupt-${i}: `)).toBe(true);
      }
    }
    expect(accepted).toBeGreaterThan(0); // most single-byte changes inside strings and scores leave a valid model
  });

  it('fails with SentencePieceModelError when a corrupted charsmap points outside its trie or strings, instead of reading past them', () => {
    const charsmap = readSentencePieceModel(SPIECE_MODEL).normalizerSpec.precompiledCharsmap;
    const trieStart = charsmap.byteOffset - SPIECE.byteOffset + 4; // after the trie size
    const rng = new SeededRandom(13);
    const texts = ['a photo of a cat', 'ﬁ ½ ℌ𝔢𝔩𝔩𝔬 日本語 ＡＢＣ ｶﾞ', '  x\u3000\t y  \u00a0\u2028', 'ÀÉÎÕÜ ™ № ①'];
    let caught = 0;
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from(SPIECE);
      // The units nearest the root, which every lookup walks through.
      for (let k = 1 + rng.int(8); k > 0; k--) bytes[trieStart + rng.int(8192)] = rng.int(256);
      const processor = new SentencePieceProcessor(parseSentencePieceModel(bytes, `corrupt-${i}`));
      try {
        for (const text of texts) processor.encode(text);
      } catch (error) {
        expect(error).toBeInstanceOf(SentencePieceModelError);
        expect((error as Error).message).toMatch(
          new RegExp(
            `^corrupt-${i}: normalizer_spec\\.precompiled_charsmap: (the trie points at unit \\d+ of \\d+|a rule points at byte \\d+ of \\d+ normalized bytes); the table is corrupt$`,
          ),
        );
        caught++;
      }
    }
    expect(caught).toBeGreaterThan(0);
  });
});
