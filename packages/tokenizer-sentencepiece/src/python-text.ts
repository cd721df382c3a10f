// Python's string operations as transformers' SiglipTokenizer runs them (Python 3.11, Unicode 14.0), where
// JavaScript's differ.

/** Python's str.isspace() characters, which are also what `re`'s `\s` matches in a str pattern. */
const PYTHON_SPACE_CLASS = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const SPACE_RUN = new RegExp(`${PYTHON_SPACE_CLASS}+`, 'g');
const SPACE = new RegExp(PYTHON_SPACE_CLASS);
/** Python's string.punctuation: the 32 ASCII punctuation characters, and only those. */
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/g;

/**
 * Characters that JavaScript's toLowerCase() lowercases but Python 3.11 does not, as their case mappings are
 * newer than Unicode 14.0 (U+1C89, U+A7CB..U+A7DC, Garay U+10D50.., Kirat Rai U+16EA0..). Checked against
 * Python's own table in python-text.test.ts.
 */
const LOWERCASED_AFTER_PYTHON = /[\u1c89\ua7cb\ua7cc\ua7ce\ua7d2\ua7d4\ua7da\ua7dc\u{10d50}-\u{10d65}\u{16ea0}-\u{16eb8}]/u;
/** What cannot be lowercased as part of a longer string: Σ (ς at the end of a word in a whole string, σ alone), and the above. */
const LOWERCASED_ALONE = new RegExp(`\u03a3|${LOWERCASED_AFTER_PYTHON.source}`, 'gu');

/**
 * Python's str.lower() applied to each character on its own, as transformers' `(.+?)` lowercasing regex
 * does (so "Σ" always becomes "σ", never the final "ς"). Between Σs and the newer characters, JavaScript's
 * toLowerCase() of the whole run agrees with it character by character: Final_Sigma is its only context rule.
 */
export function pythonLowerEachChar(text: string): string {
  let lowered = '';
  let start = 0;
  for (const match of text.matchAll(LOWERCASED_ALONE)) {
    lowered += text.slice(start, match.index).toLowerCase() + (match[0] === '\u03a3' ? '\u03c3' : match[0]);
    start = match.index + match[0].length;
  }
  return lowered + text.slice(start).toLowerCase();
}

// Loops, not /\s+$/: a regex anchored at the end rescans every run of spaces, quadratic on long texts.
export function pythonLstrip(text: string): string {
  let start = 0;
  while (start < text.length && SPACE.test(text[start])) start++;
  return text.slice(start);
}

export function pythonRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && SPACE.test(text[end - 1])) end--;
  return text.slice(0, end);
}

/**
 * SiglipTokenizer.canonicalize_text (after big_vision's prompt_engineering.py): drop string.punctuation,
 * `re.sub(r"\s+", " ", text)`, `strip()`.
 */
export function canonicalizeText(text: string): string {
  return pythonLstrip(pythonRstrip(text.replace(ASCII_PUNCTUATION, '').replace(SPACE_RUN, ' ')));
}
