import { isBad } from './badness.js';
import { A_GRAVE_WORD_SOURCE, ALTERED_UTF8_SOURCE, LOSSY_UTF8_SOURCE, UTF8_DETECTOR_SOURCE } from './data/ftfy-tables.js';
import { decodeSloppyWindows1252Byte, decodeUtf8Variants, decodeWindows1252, SINGLE_BYTE_ENCODINGS } from './single-byte-encoding.js';

// ftfy 6.3.1's fix_encoding (ftfy/__init__.py: fix_encoding_and_explain, _fix_encoding_one_step_and_explain;
// ftfy/fixes.py: restore_byte_a0, replace_lossy_sequences, decode_inconsistent_utf8, fix_c1_controls):
// text that is UTF-8 decoded as a single-byte encoding ("cafÃ©") is re-encoded and decoded as UTF-8.

const ALTERED_UTF8 = new RegExp(ALTERED_UTF8_SOURCE, 'u');
const ALTERED_UTF8_ALL = new RegExp(ALTERED_UTF8_SOURCE, 'gu');
const A_GRAVE_WORD = new RegExp(A_GRAVE_WORD_SOURCE, 'gu');
const LOSSY_UTF8 = new RegExp(LOSSY_UTF8_SOURCE, 'gu');
const UTF8_DETECTOR = new RegExp(UTF8_DETECTOR_SOURCE, 'u');
const UTF8_DETECTOR_ALL = new RegExp(UTF8_DETECTOR_SOURCE, 'gu');
const C1_CONTROL = /[\x80-\x9f]/;
const C1_CONTROLS = /[\x80-\x9f]/g;
const NON_ASCII = /[\u0080-\uffff]/;

/** ftfy's fix_encoding: repeats one repair step until the text stops changing. */
export function fixEncoding(text: string): string {
  for (;;) {
    const fixed = fixEncodingOneStep(text);
    if (fixed === text) return text;
    text = fixed;
  }
}

function fixEncodingOneStep(text: string): string {
  if (!NON_ASCII.test(text) || !isBad(text)) return text;

  const possible = new Set<string>();
  for (const encoding of SINGLE_BYTE_ENCODINGS) {
    if (!encoding.canEncode(text)) continue;
    possible.add(encoding.name);
    let bytes = encoding.encode(text);
    // MacRoman is left out because an en dash followed by a space would look like an altered 0xA0.
    if (encoding.name !== 'macroman' && ALTERED_UTF8.test(bytes)) bytes = restoreByteA0(bytes);
    if (encoding.name.startsWith('sloppy')) bytes = replaceLossySequences(bytes);
    const decoded = decodeUtf8Variants(bytes);
    if (decoded !== undefined) return decoded;
  }

  if (UTF8_DETECTOR.test(text)) {
    const fixed = decodeInconsistentUtf8(text);
    if (fixed !== text) return fixed;
  }

  // ftfy asks whether "windows-1252" was possible, a name its list never holds (it has "sloppy-windows-1252"),
  // so Latin-1 text always gets this attempt.
  if (possible.has('latin-1')) {
    const fixed = decodeWindows1252(text);
    if (fixed !== undefined && fixed !== text) return fixed;
  }

  return C1_CONTROL.test(text) ? fixC1Controls(text) : text;
}

/**
 * ftfy's restore_byte_a0: puts back the 0xA0 byte that a space replaced inside a UTF-8 sequence, with
 * "Ã " read as the word "à" (keeping its space) unless a Portuguese contraction follows.
 */
function restoreByteA0(bytes: string): string {
  return bytes.replace(A_GRAVE_WORD, '\xc3\xa0 ').replace(ALTERED_UTF8_ALL, (match) => match.replaceAll(' ', '\xa0'));
}

/** ftfy's replace_lossy_sequences: a UTF-8 sequence with lost bytes becomes the UTF-8 of U+FFFD. */
function replaceLossySequences(bytes: string): string {
  return bytes.replace(LOSSY_UTF8, '\xef\xbf\xbd');
}

/** ftfy's decode_inconsistent_utf8: fixes each mojibake run on its own, when the whole text would not decode. */
function decodeInconsistentUtf8(text: string): string {
  return text.replace(UTF8_DETECTOR_ALL, (run) => (run.length < text.length && isBad(run) ? fixEncoding(run) : run));
}

/** ftfy's fix_c1_controls: C1 controls read as the windows-1252 characters they stand for, as browsers do. */
export function fixC1Controls(text: string): string {
  return text.replace(C1_CONTROLS, (ch) => decodeSloppyWindows1252Byte(ch.charCodeAt(0)));
}
