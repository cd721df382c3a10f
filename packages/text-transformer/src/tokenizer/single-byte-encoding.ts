import { CHARMAP_ENCODINGS, WINDOWS_1252_TABLE } from './data/ftfy-tables.js';

// ftfy re-encodes suspected mojibake with single-byte encodings and decodes the bytes as UTF-8. Bytes are
// held in "binary strings" (one char per byte, U+0000..U+00FF), so ftfy's bytes regexes port as plain regexes.

/** One of ftfy's single-byte encodings (Python codecs, or ftfy's "sloppy" variants that keep undefined bytes). */
class SingleByteEncoding {
  private readonly byteOf = new Map<number, number>();

  constructor(
    readonly name: string,
    /** table[byte] is the character the byte decodes to. */
    readonly table: string,
  ) {
    for (let byte = 0; byte < 256; byte++) this.byteOf.set(table.charCodeAt(byte), byte);
  }

  /** ftfy's possible_encoding: every character has a byte (all table characters are in the BMP). */
  canEncode(text: string): boolean {
    for (let i = 0; i < text.length; i++) if (!this.byteOf.has(text.charCodeAt(i))) return false;
    return true;
  }

  /** The bytes of `text`, as a binary string; call only when canEncode(text). */
  encode(text: string): string {
    let out = '';
    for (let i = 0; i < text.length; i++) out += String.fromCharCode(this.byteOf.get(text.charCodeAt(i)) as number);
    return out;
  }
}

/** ftfy's CHARMAP_ENCODINGS, in the order fix_encoding tries them. */
export const SINGLE_BYTE_ENCODINGS: readonly SingleByteEncoding[] = CHARMAP_ENCODINGS.map((e) => new SingleByteEncoding(e.name, e.table));

/** Python's strict `bytes.decode('windows-1252')`: undefined when a byte has no character (0x81, 0x8D, 0x8F, 0x90, 0x9D). */
export function decodeWindows1252(bytes: string): string | undefined {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const ch = WINDOWS_1252_TABLE[bytes.charCodeAt(i)];
    if (ch === '\ufffd') return undefined;
    out += ch;
  }
  return out;
}

/** ftfy's sloppy-windows-1252 decoding of one byte: windows-1252, with undefined bytes kept as Latin-1. */
export function decodeSloppyWindows1252Byte(byte: number): string {
  const ch = WINDOWS_1252_TABLE[byte];
  return ch === '\ufffd' ? String.fromCharCode(byte) : ch;
}

function binaryToBytes(bytes: string): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
  return out;
}

// ignoreBOM keeps a leading U+FEFF, as Python's 'utf-8' codec does (TextDecoder drops it by default).
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Python's strict `bytes.decode('utf-8')` (TextDecoder's fatal mode rejects the same sequences:
 * overlongs, surrogates, code points above U+10FFFF); undefined when the bytes are not UTF-8.
 */
function decodeUtf8Strict(bytes: string): string | undefined {
  try {
    return STRICT_UTF8.decode(binaryToBytes(bytes));
  } catch {
    return undefined;
  }
}

const CESU8_PAIR = /^\xed[\xa0-\xaf][\x80-\xbf]\xed[\xb0-\xbf][\x80-\xbf]/;

/**
 * ftfy's strict "utf-8-variants" codec: UTF-8, plus Java's two-byte null (C0 80) and CESU-8 (a surrogate
 * pair written as two 3-byte sequences), which fix_encoding uses when the bytes hold 0xC0 or 0xED.
 */
export function decodeUtf8Variants(bytes: string): string | undefined {
  let out = '';
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes.charCodeAt(i);
    if (byte !== 0xc0 && !(byte === 0xed && bytes.charCodeAt(i + 1) >= 0xa0)) continue;
    const before = decodeUtf8Strict(bytes.slice(start, i));
    if (before === undefined) return undefined;
    out += before;
    if (byte === 0xc0) {
      if (bytes.charCodeAt(i + 1) !== 0x80) return undefined;
      out += '\0';
      i += 1;
    } else {
      const pair = CESU8_PAIR.exec(bytes.slice(i, i + 6));
      if (!pair) return undefined;
      const code =
        0x10000 + ((bytes.charCodeAt(i + 1) & 0x0f) << 16) + ((bytes.charCodeAt(i + 2) & 0x3f) << 10) + ((bytes.charCodeAt(i + 4) & 0x0f) << 6) + (bytes.charCodeAt(i + 5) & 0x3f);
      out += String.fromCodePoint(code);
      i += 5;
    }
    start = i + 1;
  }
  const rest = decodeUtf8Strict(bytes.slice(start));
  return rest === undefined ? undefined : out + rest;
}
