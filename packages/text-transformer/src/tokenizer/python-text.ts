import { CHARS_AFTER_PYTHON } from './data/python-unicode-differences.js';

// Python's string operations as the reference tokenizer (Python 3.11, Unicode 14.0) runs them, where
// JavaScript's differ.

/** Python's str.isspace() for one UTF-16 code unit (no whitespace lies outside the BMP). */
function isPythonSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code >= 0x1c;
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Python's str.strip(): removes str.isspace() characters at both ends (JavaScript's trim() also removes U+FEFF but not U+001C..U+001F). */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPythonSpace(text.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * The `regex` module's `\s` (Unicode White_Space), which simple_tokenizer's whitespace_clean uses
 * (it imports `regex as re`): unlike Python's str.isspace() it excludes U+001C..U+001F, and unlike
 * JavaScript's `\s` it includes U+0085 and excludes U+FEFF.
 */
export const WHITE_SPACE_CLASS = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

const WHITE_SPACE_RUN = new RegExp(`${WHITE_SPACE_CLASS}+`, 'g');

/** simple_tokenizer's whitespace_clean: `re.sub(r'\s+', ' ', text).strip()`. */
export function collapseWhitespace(text: string): string {
  return pythonStrip(text.replace(WHITE_SPACE_RUN, ' '));
}

/**
 * Characters newer than Unicode 14.0 are, to Python, uncased, of combining class 0 and without
 * decomposition: nothing lowercases them, reorders or composes across them, and the final-sigma rule
 * stops at them. So text is lowercased and normalized in the runs between them, which are left as they are.
 */
const LATE_CHAR = new RegExp(CHARS_AFTER_PYTHON, 'u');
const LATE_CHAR_SPLIT = new RegExp(`(${CHARS_AFTER_PYTHON})`, 'u');

function mapRuns(text: string, map: (run: string) => string): string {
  if (!LATE_CHAR.test(text)) return map(text);
  // split() with a capturing group keeps the separators at the odd indices.
  return text
    .split(LATE_CHAR_SPLIT)
    .map((piece, i) => (i % 2 === 1 ? piece : map(piece)))
    .join('');
}

/** Python's str.lower() (JavaScript's toLowerCase() agrees, final sigma included, on every older character). */
export function pythonLower(text: string): string {
  return mapRuns(text, (run) => run.toLowerCase());
}

/** Python's unicodedata.normalize('NFC', text) (the runtime's NFC agrees on older characters: normalization is stable). */
export function pythonNfc(text: string): string {
  return mapRuns(text, (run) => run.normalize('NFC'));
}
