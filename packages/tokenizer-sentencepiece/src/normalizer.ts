import type { ByteTrie } from './byte-trie.js';
import { PrecompiledCharsmap } from './precompiled-charsmap.js';
import type { NormalizerSpec } from './sentencepiece-model.js';
import { utf8CharLength } from './utf8.js';

const SPACE = 0x20;
/** U+2581 LOWER ONE EIGHTH BLOCK "▁" in UTF-8: sentencepiece's kSpaceSymbol. */
const SPACE_SYMBOL = Uint8Array.of(0xe2, 0x96, 0x81);

/** A growable byte buffer. */
class ByteBuffer {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
  }

  push(byte: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = byte;
  }

  pushAll(bytes: Uint8Array): void {
    for (const byte of bytes) this.push(byte);
  }

  endsWith(suffix: Uint8Array): boolean {
    if (this.length < suffix.length) return false;
    for (let i = 0; i < suffix.length; i++) if (this.bytes[this.length - suffix.length + i] !== suffix[i]) return false;
    return true;
  }
}

/**
 * sentencepiece's Normalizer (normalizer.cc Normalize / NormalizePrefix) on UTF-8 bytes: at each position the
 * longest user-defined symbol is copied as it is, else the longest charsmap rule is applied, else one character
 * is copied; leading, trailing and repeated spaces are dropped (remove_extra_whitespaces), spaces become "▁"
 * (escape_whitespaces) and "▁" is prepended (add_dummy_prefix; appended with treat_whitespace_as_suffix).
 */
export class Normalizer {
  private readonly charsmap: PrecompiledCharsmap | undefined;
  private readonly space: Uint8Array;

  constructor(
    private readonly spec: NormalizerSpec,
    private readonly treatWhitespaceAsSuffix: boolean,
    /** User-defined symbols, which the normalizer leaves untouched (ModelInterface's prefix matcher). */
    private readonly userDefined: ByteTrie | undefined,
    source: string,
  ) {
    this.charsmap = spec.precompiledCharsmap.length > 0 ? new PrecompiledCharsmap(spec.precompiledCharsmap, source) : undefined;
    this.space = spec.escapeWhitespaces ? SPACE_SYMBOL : Uint8Array.of(SPACE);
  }

  /** The normalized form of valid UTF-8 `input`. */
  normalize(input: Uint8Array): Uint8Array {
    const { removeExtraWhitespaces, addDummyPrefix, escapeWhitespaces } = this.spec;
    let position = 0;
    if (removeExtraWhitespaces) {
      while (position < input.length) {
        const { length, replacement } = this.prefix(input, position);
        if (replacement.length !== 1 || replacement[0] !== SPACE) break;
        position += length;
      }
    }
    if (position === input.length) return new Uint8Array(0);

    const out = new ByteBuffer(3 * (input.length - position));
    if (!this.treatWhitespaceAsSuffix && addDummyPrefix) out.pushAll(this.space);
    let isPreviousSpace = removeExtraWhitespaces;
    while (position < input.length) {
      const { length, replacement } = this.prefix(input, position);
      let i = 0;
      // Drops the replacement's leading spaces after a space (remove_extra_whitespaces).
      while (isPreviousSpace && i < replacement.length && replacement[i] === SPACE) i++;
      if (i < replacement.length) {
        for (; i < replacement.length; i++) {
          if (escapeWhitespaces && replacement[i] === SPACE) out.pushAll(SPACE_SYMBOL);
          else out.push(replacement[i]);
        }
        isPreviousSpace = replacement[replacement.length - 1] === SPACE;
      }
      position += length;
      if (!removeExtraWhitespaces) isPreviousSpace = false;
    }
    if (removeExtraWhitespaces) while (out.endsWith(this.space)) out.length -= this.space.length;
    if (this.treatWhitespaceAsSuffix && addDummyPrefix) out.pushAll(this.space);
    return out.bytes.slice(0, out.length);
  }

  /** NormalizePrefix: how many input bytes the next step consumes and what it writes. */
  private prefix(input: Uint8Array, start: number): { length: number; replacement: Uint8Array } {
    const symbol = this.userDefined?.longestPrefix(input, start, input.length) ?? 0;
    if (symbol > 0) return { length: symbol, replacement: input.subarray(start, start + symbol) };
    const rule = this.charsmap?.longestMatch(input, start, input.length);
    if (rule !== undefined) return rule;
    const length = Math.min(utf8CharLength(input[start]), input.length - start);
    return { length, replacement: input.subarray(start, start + length) };
  }
}
