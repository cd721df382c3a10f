import { WHITE_SPACE_CLASS } from './python-text.js';

/**
 * simple_tokenizer's splitting regex (the `regex` module, re.IGNORECASE), applied to cleaned, lowercased text:
 *   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
 * Two effects of IGNORECASE on lowercase text are spelled out: "'s" also matches "'ſ" (U+017F folds to s),
 * and U+0345 (which folds to the letter ι) matches no alternative, so it is dropped like whitespace.
 * `\s` is the regex module's (Unicode White_Space); \p{L} and \p{N} are the runtime's Unicode classes.
 */
const PRE_TOKEN = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'[s\\u017f]|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^${WHITE_SPACE_CLASS.slice(1, -1)}\\p{L}\\p{N}\\u0345]+`,
  'gu',
);

/** The pre-tokens (words, single digits, punctuation runs) of cleaned text, in order. */
export function preTokenize(text: string): string[] {
  return isAscii(text) ? preTokenizeAscii(text) : (text.match(PRE_TOKEN) ?? []);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

enum Kind {
  Space,
  Letter,
  Digit,
  Other,
}

/** ASCII character classes: the same split as PRE_TOKEN without a regex (the hot path). */
const KIND: readonly Kind[] = Array.from({ length: 128 }, (_, code) => {
  if ((code >= 0x09 && code <= 0x0d) || code === 0x20) return Kind.Space;
  if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) return Kind.Letter;
  if (code >= 0x30 && code <= 0x39) return Kind.Digit;
  return Kind.Other;
});

const CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];
const SPECIAL_TOKENS = ['<|startoftext|>', '<|endoftext|>'];

function preTokenizeAscii(text: string): string[] {
  const tokens: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    const kind = KIND[code];
    if (kind === Kind.Space) {
      i++;
      continue;
    }
    const fixed = code === 0x27 ? startsWithAny(text, i, CONTRACTIONS) : code === 0x3c ? startsWithAny(text, i, SPECIAL_TOKENS) : undefined;
    let end = i + 1;
    if (fixed !== undefined) {
      end = i + fixed.length;
    } else if (kind === Kind.Letter) {
      while (end < n && KIND[text.charCodeAt(end)] === Kind.Letter) end++;
    } else if (kind === Kind.Other) {
      while (end < n && KIND[text.charCodeAt(end)] === Kind.Other) end++;
    }
    tokens.push(text.slice(i, end));
    i = end;
  }
  return tokens;
}

function startsWithAny(text: string, at: number, candidates: readonly string[]): string | undefined {
  return candidates.find((candidate) => text.startsWith(candidate, at));
}
