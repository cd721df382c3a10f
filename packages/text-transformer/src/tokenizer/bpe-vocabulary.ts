import { BYTE_ORDER, BYTE_TO_CHAR } from './byte-encoder.js';

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';
/** Marks the last symbol of a word, so "cat" at the end of a word and inside "cats" are different tokens. */
export const END_OF_WORD = '</w>';

/** A byte-level BPE vocabulary as the files store it: token strings by id and merge rules by rank. */
export interface BpeVocabulary {
  /** tokens[id] is the token's string (byte-alphabet characters, "</w>" suffix); holes are unused ids. */
  readonly tokens: readonly (string | undefined)[];
  /** Merge rules, best (lowest rank) first: [left, right] becomes left + right. */
  readonly merges: readonly (readonly [string, string])[];
}

/** The most merges simple_tokenizer reads from bpe_simple_vocab_16e6.txt.gz (`merges[1:49152-256-2+1]`). */
export const MAX_OPENAI_MERGES = 49152 - 256 - 2;

/**
 * simple_tokenizer's vocabulary for a list of merges: the 256 byte characters, the same with "</w>",
 * one token per merge in rank order, then <|startoftext|> and <|endoftext|>.
 */
export function openAiVocabulary(merges: readonly (readonly [string, string])[]): BpeVocabulary {
  const bytes = BYTE_ORDER.map((byte) => BYTE_TO_CHAR[byte]);
  const tokens = [...bytes, ...bytes.map((ch) => ch + END_OF_WORD), ...merges.map(([a, b]) => a + b), START_OF_TEXT, END_OF_TEXT];
  return { tokens, merges };
}
