import { join } from 'node:path';
import type { SeededRandom, Tokenizer } from '@clipkit/core';
import { loadClipTokenizer } from '@clipkit/text-transformer';
import { loadSentencePieceTokenizer } from '@clipkit/tokenizer-sentencepiece';
import { check, type FuzzInput, type FuzzTarget, type Outcome, outcomeOf, SHARED } from '../fuzz-target.js';

/** Pieces of text that stress cleaning, pre-tokenisation and merging. */
const PIECES = [
  'a photo of a cat',
  ' ',
  '\t\n\r',
  '\u0000',
  '\u0007',
  '\u00a0',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  '\ud83d',
  'e\u0301',
  '\u0301\u0301\u0301',
  'Ã©tÃ©',
  'â€™',
  '&amp;&lt;&#x1F600;&#99999999;',
  '<|startoftext|>',
  '<|endoftext|>',
  '</s>',
  '<unk>',
  '<pad>',
  '中文字符',
  'العربية',
  'ﬁ',
  'ǅ',
  'İ',
  '12345678901234567890',
  "'s't're",
  '!!!???...',
  'ℌ𝔢𝔩𝔩𝔬',
];

/** A seeded random text: pieces and random code points (lone surrogates included); sometimes one word of up to 1 MB. */
function randomText(random: SeededRandom): { text: string; description: string } {
  if (random.int(100) === 0) {
    const length = 10_000 * 10 ** random.int(3); // 10 KB, 100 KB or 1 MB
    const letters = Array.from({ length }, () => String.fromCharCode(97 + random.int(26))).join('');
    return { text: letters, description: `one word of ${length} random letters` };
  }
  const parts: string[] = [];
  const count = 1 + random.int(40);
  for (let i = 0; i < count; i++) {
    const kind = random.int(4);
    if (kind === 0) parts.push(String.fromCharCode(random.int(0x10000)));
    else if (kind === 1) parts.push(String.fromCodePoint(random.int(0x110000)).repeat(1 + random.int(3)));
    else parts.push(PIECES[random.int(PIECES.length)].repeat(1 + random.int(random.int(10) === 0 ? 500 : 3)));
  }
  return { text: parts.join(''), description: `${count} random pieces` };
}

function checkRows(rows: Int32Array, contextLength: number, vocabSize: number, name: string): void {
  check(rows.length === contextLength, `${name}: ${rows.length} ids in a row of ${contextLength}`);
  for (const id of rows) check(Number.isInteger(id) && id >= 0 && id < vocabSize, `${name}: id ${id} outside the vocabulary of ${vocabSize}`);
}

/** Both tokenizers (CLIP's BPE and SigLIP's SentencePiece) on random Unicode: lone surrogates, NUL, mojibake, 1 MB words. */
export const tokenizerTarget: FuzzTarget = {
  name: 'tokenizer',
  description: 'CLIP BPE and SigLIP SentencePiece tokenize, encode and decode of random Unicode (lone surrogates, NUL, special tokens, words up to 1 MB)',
  async prepare() {
    const tokenizers: [string, Tokenizer][] = [
      ['clip-bpe', loadClipTokenizer()],
      ['siglip', loadSentencePieceTokenizer(join(SHARED, 'fixtures/models/siglip-tiny/spiece.model'))],
    ];
    return (random: SeededRandom): FuzzInput => {
      const { text, description } = randomText(random);
      const run = async (): Promise<Outcome> => {
        const outcomes: Outcome[] = [];
        for (const [name, tokenizer] of tokenizers) {
          outcomes.push(
            await outcomeOf(() => {
              checkRows(tokenizer.tokenize([text], { contextLength: 64 }), 64, tokenizer.vocabSize, name);
              check(typeof tokenizer.decode(tokenizer.encode(text)) === 'string', `${name}: decode`);
            }),
          );
        }
        return outcomes.includes('refused') ? 'refused' : 'accepted';
      };
      return { description, length: text.length, run };
    };
  },
};
