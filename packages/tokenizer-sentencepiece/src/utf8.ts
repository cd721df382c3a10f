/** sentencepiece's OneCharLen: the length of a UTF-8 sequence from its first byte ("1 1 1 1 1 1 1 1 1 1 1 1 2 2 3 4" by high nibble). */
export function utf8CharLength(lead: number): number {
  if (lead < 0xc0) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return 4;
}
