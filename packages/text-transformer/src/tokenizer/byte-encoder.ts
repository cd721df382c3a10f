// GPT-2's byte-level alphabet (simple_tokenizer's bytes_to_unicode): printable Latin-1 bytes stand for
// themselves and the other 68 bytes for U+0100..U+0143, so BPE tokens are strings without spaces or controls.

const isPrintable = (byte: number) => (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);

const BYTES = Array.from({ length: 256 }, (_, byte) => byte);

/** The bytes in vocabulary order: OpenAI's ids 0..255 are these bytes' characters, 256..511 the same + "</w>". */
export const BYTE_ORDER: readonly number[] = [...BYTES.filter(isPrintable), ...BYTES.filter((byte) => !isPrintable(byte))];

/** BYTE_TO_CHAR[byte]: the character that stands for the byte. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const table: string[] = [];
  let next = 0x100;
  for (const byte of BYTES) table[byte] = String.fromCharCode(isPrintable(byte) ? byte : next++);
  return table;
})();

/** The byte each alphabet character stands for. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTES.map((byte) => [BYTE_TO_CHAR[byte], byte]));
