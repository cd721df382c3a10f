/** sentencepiece's OneCharLen: the length of a UTF-8 sequence from its first byte ("1 1 1 1 1 1 1 1 1 1 1 1 2 2 3 4" by high nibble). */
export function utf8CharLength(lead: number): number {
  if (lead < 0xc0) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return 4;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The text with each lone surrogate replaced by U+FFFD, as TextEncoder would encode it (String.prototype.
 * toWellFormed, ES2024). Done first, so that removing a character between two lone surrogates cannot pair them.
 */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}
