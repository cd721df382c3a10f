import { HTML5_ENTITIES } from './data/html5-entities.js';

// Python's html.unescape (Lib/html/__init__.py, 3.11): the HTML5 rules, including references without a
// semicolon ("&copy 2020") and the longest known prefix of an unknown name ("&notit;" -> "¬it;").

/** Numeric references the HTML5 spec maps elsewhere (windows-1252 for 0x80..0x9F). */
const INVALID_CHARREFS: ReadonlyMap<number, string> = new Map([
  [0x00, '\ufffd'],
  [0x0d, '\r'],
  [0x80, '\u20ac'],
  [0x81, '\x81'],
  [0x82, '\u201a'],
  [0x83, '\u0192'],
  [0x84, '\u201e'],
  [0x85, '\u2026'],
  [0x86, '\u2020'],
  [0x87, '\u2021'],
  [0x88, '\u02c6'],
  [0x89, '\u2030'],
  [0x8a, '\u0160'],
  [0x8b, '\u2039'],
  [0x8c, '\u0152'],
  [0x8d, '\x8d'],
  [0x8e, '\u017d'],
  [0x8f, '\x8f'],
  [0x90, '\x90'],
  [0x91, '\u2018'],
  [0x92, '\u2019'],
  [0x93, '\u201c'],
  [0x94, '\u201d'],
  [0x95, '\u2022'],
  [0x96, '\u2013'],
  [0x97, '\u2014'],
  [0x98, '\u02dc'],
  [0x99, '\u2122'],
  [0x9a, '\u0161'],
  [0x9b, '\u203a'],
  [0x9c, '\u0153'],
  [0x9d, '\x9d'],
  [0x9e, '\u017e'],
  [0x9f, '\u0178'],
]);

/** Code points a numeric reference may not produce; Python drops the reference. */
function isInvalidCodePoint(code: number): boolean {
  return (
    (code >= 0x01 && code <= 0x08) ||
    code === 0x0b ||
    (code >= 0x0e && code <= 0x1f) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0xfdd0 && code <= 0xfdef) ||
    (code & 0xfffe) === 0xfffe // U+FFFE, U+FFFF and the same in every plane
  );
}

/** Python's `&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)`, counting code points as Python does. */
const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

function replaceCharref(_match: string, ref: string): string {
  if (ref[0] === '#') {
    const hex = ref[1] === 'x' || ref[1] === 'X';
    const digits = ref.slice(hex ? 2 : 1, ref.endsWith(';') ? -1 : undefined);
    // Arbitrarily long digit strings only need to compare above 0x10FFFF, which a float does exactly.
    const code = Number.parseInt(digits, hex ? 16 : 10);
    const mapped = INVALID_CHARREFS.get(code);
    if (mapped !== undefined) return mapped;
    if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return '\ufffd';
    if (isInvalidCodePoint(code)) return '';
    return String.fromCodePoint(code);
  }
  const named = HTML5_ENTITIES.get(ref);
  if (named !== undefined) return named;
  // Names are ASCII, so a prefix that matches ends at the same index in code units as in code points.
  for (let end = ref.length - 1; end > 1; end--) {
    const prefix = HTML5_ENTITIES.get(ref.slice(0, end));
    if (prefix !== undefined) return prefix + ref.slice(end);
  }
  return `&${ref}`;
}

/** Python's html.unescape: replaces every named and numeric character reference. */
export function htmlUnescape(text: string): string {
  return text.includes('&') ? text.replace(CHARREF, replaceCharref) : text;
}
