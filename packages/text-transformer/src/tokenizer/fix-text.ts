import { CONTROL_CHARS, LIGATURES, TERMINAL_ESCAPE_SOURCE, UPPERCASE_ENTITIES, WIDTH_MAP } from './data/ftfy-tables.js';
import { HTML5_ENTITIES } from './data/html5-entities.js';
import { fixC1Controls, fixEncoding } from './fix-encoding.js';
import { htmlUnescape } from './html-unescape.js';
import { pythonNfc } from './python-text.js';

// ftfy 6.3.1's fix_text with its default TextFixerConfig (ftfy/__init__.py, ftfy/fixes.py), the first step
// of simple_tokenizer's basic_clean.

/** ftfy splits text into lines and fixes each on its own, so lines may be in different encodings. */
const MAX_SEGMENT = 1_000_000;

/** ftfy.fix_text(text). */
export function fixText(text: string): string {
  let out = '';
  // "auto": HTML entities are decoded until a segment holds a '<', then never again (the text may be HTML).
  let decodeEntities = true;
  for (let pos = 0; pos < text.length; ) {
    const end = segmentEnd(text, pos);
    const segment = text.slice(pos, end);
    if (decodeEntities && segment.includes('<')) decodeEntities = false;
    out += fixSegment(segment, decodeEntities);
    pos = end;
  }
  return out;
}

/** Where the segment starting at `pos` ends: after its line break, or after MAX_SEGMENT code points (as Python counts). */
function segmentEnd(text: string, pos: number): number {
  const end = text.indexOf('\n', pos) + 1 || text.length;
  if (end - pos <= MAX_SEGMENT) return end;
  let i = pos;
  for (let points = 0; points < MAX_SEGMENT && i < end; points++) {
    const code = text.charCodeAt(i);
    i += code >= 0xd800 && code < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i;
}

/** ftfy.fix_and_explain: applies every fixer in order until the segment stops changing. */
function fixSegment(text: string, decodeEntities: boolean): string {
  for (;;) {
    const original = text;
    if (decodeEntities) text = unescapeHtml(text);
    text = fixEncoding(text);
    text = fixC1Controls(text);
    text = translate(text, LATIN_LIGATURE, LIGATURES);
    text = translate(text, WIDTH_FORM, WIDTH_MAP);
    text = uncurlQuotes(text);
    text = fixLineBreaks(text);
    text = fixSurrogates(text);
    text = text.replace(TERMINAL_ESCAPE, '');
    text = text.replace(CONTROL_CHAR, '');
    text = pythonNfc(text);
    if (text === original) return text;
  }
}

const ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

/**
 * ftfy's unescape_html: only references that end in ';' (so "AT&T" and "&copy 2020" stay), HTML5 names,
 * all-caps names of common ones ("P&EACUTE;REZ"), and numeric references Python's html.unescape decodes whole.
 */
function unescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (entity) => {
    const named = HTML5_ENTITIES.get(entity.slice(1)) ?? UPPERCASE_ENTITIES.get(entity);
    if (named !== undefined) return named;
    if (!entity.startsWith('&#')) return entity;
    const decoded = htmlUnescape(entity);
    return decoded.includes(';') ? entity : decoded;
  });
}

const LATIN_LIGATURE = new RegExp(`[${[...LIGATURES.keys()].join('')}]`, 'g');
const WIDTH_FORM = /[\u3000\uff01-\uffef]/g;

/** Python's str.translate with a table of single BMP characters. */
function translate(text: string, chars: RegExp, table: ReadonlyMap<string, string>): string {
  return text.replace(chars, (ch) => table.get(ch) ?? ch);
}

/** ftfy's uncurl_quotes (SINGLE_QUOTE_RE includes U+02BC, the modifier-letter apostrophe). */
function uncurlQuotes(text: string): string {
  return text.replace(/[\u201c-\u201f]/g, '"').replace(/[\u02bc\u2018-\u201b]/g, "'");
}

/** ftfy's fix_line_breaks: CRLF, CR, U+2028, U+2029 and U+0085 become "\n". */
function fixLineBreaks(text: string): string {
  return text.replace(/\r\n|[\r\u2028\u2029\u0085]/g, '\n');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** ftfy's fix_surrogates: a JavaScript string pairs surrogates itself, so only lone ones remain to replace. */
function fixSurrogates(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/** ftfy's remove_terminal_escapes. */
const TERMINAL_ESCAPE = new RegExp(TERMINAL_ESCAPE_SOURCE, 'gu');

const CONTROL_CHAR = new RegExp(`[${CONTROL_CHARS.map((c) => `\\u{${c.toString(16)}}`).join('')}]`, 'gu');
