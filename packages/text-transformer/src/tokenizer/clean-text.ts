import { fixText } from './fix-text.js';
import { htmlUnescape } from './html-unescape.js';
import { collapseWhitespace, pythonLower, pythonStrip } from './python-text.js';

/**
 * simple_tokenizer's text cleaning, step for step:
 * `whitespace_clean(basic_clean(text)).lower()` with basic_clean = ftfy.fix_text, html.unescape twice, strip.
 */
export function cleanText(text: string): string {
  const unescaped = isPlainAscii(text) ? text : htmlUnescape(htmlUnescape(fixText(text)));
  return pythonLower(collapseWhitespace(pythonStrip(unescaped)));
}

/**
 * Printable ASCII, tab, line feed and form feed, without '&': ftfy.fix_text and html.unescape leave such
 * text unchanged (no entity, no mojibake, no control character ftfy removes, nothing NFC changes).
 */
export function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 ? code > 0x7e || code === 0x26 : code !== 0x09 && code !== 0x0a && code !== 0x0c) return false;
  }
  return true;
}
