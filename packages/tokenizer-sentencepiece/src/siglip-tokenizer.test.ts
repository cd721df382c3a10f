import { SeededRandom } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { readSentencePieceModel } from './sentencepiece-model.js';
import { SiglipTokenizer } from './siglip-tokenizer.js';
import { SIGLIP_CASES, SPIECE_MODEL, siglipTinyInputs } from './testdata.test-support.js';
import { TextTooLongError } from './text-too-long-error.js';

// Truth: the fixture's 300 cases (transformers' SiglipTokenizer, tokenization_siglip.py 095a021d, on its
// spiece.model) and siglip-tiny's inputs.safetensors; decode and the long inputs are checked against
// SiglipTokenizer's code worked by hand and against invariants. Tolerance: exact.

/** The text as TextEncoder sees it: lone surrogates become U+FFFD. */
const wellFormed = (text: string) => new TextDecoder().decode(new TextEncoder().encode(text));

const tokenizer = new SiglipTokenizer(readSentencePieceModel(SPIECE_MODEL));

describe('SiglipTokenizer on the fixture cases', () => {
  it('has the fixture tokenizer ids: eos = pad = 1, unk 2, no start token, 1000 pieces, 64 positions by default', () => {
    expect([tokenizer.endOfTextId, tokenizer.padId, tokenizer.unkId, tokenizer.startOfTextId, tokenizer.vocabSize, tokenizer.modelMaxLength]).toEqual([1, 1, 2, -1, 1000, 64]);
  });

  it('gives the pieces of SiglipTokenizer.tokenize for all 300 texts', () => {
    expect(SIGLIP_CASES.length).toBe(300);
    for (const c of SIGLIP_CASES) expect({ text: c.text, pieces: tokenizer.pieces(c.text) }).toEqual({ text: c.text, pieces: c.pieces });
  });

  it('gives input_ids (eos appended, not truncated) for all 300 texts', () => {
    for (const c of SIGLIP_CASES) {
      const longEnough = Math.max(c.ids.length, 1);
      expect({ text: c.text, ids: [...tokenizer.tokenize([c.text], { contextLength: longEnough })] }).toEqual({ text: c.text, ids: c.ids });
    }
  });

  it('gives the padded rows (max_length 16, truncated, padded with 1) for all 300 texts, one batch', () => {
    const rows = tokenizer.tokenize(
      SIGLIP_CASES.map((c) => c.text),
      { contextLength: 16 },
    );
    expect(rows.length).toBe(300 * 16);
    for (const [i, c] of SIGLIP_CASES.entries()) expect({ text: c.text, row: [...rows.subarray(i * 16, i * 16 + 16)] }).toEqual({ text: c.text, row: c.padded });
  });

  it('gives the input_ids siglip-tiny was run on', async () => {
    const { texts, inputIds } = await siglipTinyInputs();
    expect(texts.length).toBe(5);
    expect([...tokenizer.tokenize(texts, { contextLength: 16 })]).toEqual([...inputIds]);
  });

  it('encodes without the end token, keeping special tokens written in the text', () => {
    const c = SIGLIP_CASES.find((c) => c.text === 'a CAT </s> and a DOG')!;
    expect([...tokenizer.encode(c.text), 1]).toEqual(c.ids);
    expect(tokenizer.encode('')).toEqual([]);
  });
});

describe('SiglipTokenizer rows', () => {
  it('rejects a text longer than the context length when truncation is off', () => {
    const long = SIGLIP_CASES.find((c) => c.ids.length > 16)!;
    expect(() => tokenizer.tokenize(['a cat', long.text], { contextLength: 16, truncate: false })).toThrow(TextTooLongError);
    expect(() => tokenizer.tokenize(['a cat', long.text], { contextLength: 16, truncate: false })).toThrow(`text 1 is ${long.ids.length} tokens long`);
    expect([...tokenizer.tokenize([long.text], { contextLength: long.ids.length, truncate: false })]).toEqual(long.ids);
  });

  it('rejects a context length without room for the end token', () => {
    expect(() => tokenizer.tokenize(['a'], { contextLength: 0 })).toThrow(/contextLength must be an integer >= 1/);
    expect([...tokenizer.tokenize(['a photo'], { contextLength: 1 })]).toEqual([1]);
  });

  it('keeps one end token when truncation leaves the ids ending with one', () => {
    // "x </s> ..." truncated right after the literal </s>: transformers adds no second eos, and pads.
    const ids = tokenizer.encode('a cat </s> and a dog');
    const cut = ids.indexOf(1) + 1;
    expect([...tokenizer.tokenize(['a cat </s> and a dog'], { contextLength: cut + 1 })]).toEqual([...ids.slice(0, cut), 1]);
  });
});

describe('SiglipTokenizer.decode', () => {
  it('writes pieces through sentencepiece and special tokens by name, a space before the first special of a run', () => {
    // convert_tokens_to_string: " " + decode(["▁a", "▁photo", "▁of", "▁a", "▁cat"]) + "</s>" + "</s>"..., then strip().
    expect(tokenizer.decode(tokenizer.tokenize(['A photo of a cat.'], { contextLength: 8 }))).toBe('a photo of a cat</s></s></s>');
    expect(tokenizer.decode([2, 3, 13, 1, 0])).toBe('<unk> a photo</s>');
    expect(() => tokenizer.decode([3, 1000])).toThrow(/id 1000 at position 1 is not a token id \(0\.\.999\)/);
  });

  it('applies clean_up_tokenization when the config asks for it', () => {
    const cleaning = new SiglipTokenizer(readSentencePieceModel(SPIECE_MODEL), { cleanUpTokenizationSpaces: true });
    const ids = [...tokenizer.encode('a cat'), tokenizer.processor.pieceToId('▁'), tokenizer.processor.pieceToId('.')];
    expect(tokenizer.decode(ids)).toBe('a cat .');
    expect(cleaning.decode(ids)).toBe('a cat.');
  });
});

describe('SiglipTokenizer on long and unusual input', () => {
  it('encodes a 1 MB text of a repeated caption to the caption ids repeated', () => {
    const caption = 'A photo of a cat, sitting on a laptop keyboard! ';
    const repeats = Math.ceil(1_000_000 / caption.length);
    const ids = tokenizer.encode(caption.repeat(repeats));
    const once = tokenizer.encode(caption);
    expect(ids.length).toBe(once.length * repeats);
    expect(ids.slice(-once.length)).toEqual(once);
    expect(ids.every((id, i) => id === once[i % once.length])).toBe(true);
    expect([...tokenizer.tokenize([caption.repeat(repeats)], { contextLength: 64 })]).toEqual([...ids.slice(0, 63), 1]);
  });

  it('tokenizes random Unicode with lone surrogates and NUL into valid rows, a lone surrogate counting as U+FFFD', () => {
    const rng = new SeededRandom(5);
    const texts = Array.from({ length: 300 }, () => {
      const units = Array.from({ length: 1 + rng.int(60) }, () => {
        const roll = rng.int(10);
        if (roll === 0) return 0; // NUL
        if (roll === 1) return 0xd800 + rng.int(0x800); // a surrogate, usually unpaired
        return roll < 5 ? 0x20 + rng.int(0x60) : rng.int(0x10000);
      });
      return String.fromCharCode(...units);
    });
    texts.push('\0'.repeat(1000), '\ud800'.repeat(1000), '</s>'.repeat(100), '\u2581'.repeat(100));
    const rows = tokenizer.tokenize(texts, { contextLength: 32 });
    expect(rows.every((id) => id >= 0 && id < tokenizer.vocabSize)).toBe(true);
    texts.forEach((text, i) => {
      const row = rows.subarray(i * 32, i * 32 + 32);
      expect(row.includes(1)).toBe(true); // ends with eos, then pad (= eos)
      expect(tokenizer.encode(text)).toEqual(tokenizer.encode(wellFormed(text)));
    });
  });
});
