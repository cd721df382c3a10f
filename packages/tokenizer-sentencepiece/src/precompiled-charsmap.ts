import { SentencePieceModelError } from './sentencepiece-model-error.js';

/** A rule of the charsmap that applies at some position: `length` input bytes become `replacement`. */
export interface CharsmapMatch {
  readonly length: number;
  /** The normalized bytes (a view into the charsmap, without its NUL terminator). */
  readonly replacement: Uint8Array;
}

/**
 * A compiled normalization rule (normalizer_spec.precompiled_charsmap): a little-endian uint32 trie size,
 * a darts-clone double-array trie over UTF-8 input sequences, then the NUL-terminated normalized strings the
 * trie's values point into (sentencepiece normalizer.cc, DecodePrecompiledCharsMap). The table is the truth:
 * nmt_nfkc is NFKC plus sentencepiece's own edits, so String.prototype.normalize cannot stand in for it.
 */
export class PrecompiledCharsmap {
  /** The double-array units (darts-clone DoubleArrayUnit, one uint32 each). */
  private readonly units: Uint32Array;
  private readonly normalized: Uint8Array;
  private readonly replacements = new Map<number, Uint8Array>();

  constructor(
    blob: Uint8Array,
    /** Names the model file in errors. */
    private readonly source: string,
  ) {
    const fail = (message: string): never => {
      throw new SentencePieceModelError(source, `normalizer_spec.precompiled_charsmap: ${message}`);
    };
    // normalizer.cc DecodePrecompiledCharsMap: the blob must hold more than the size, and more than the trie.
    if (blob.length <= 4) fail(`${blob.length} bytes, too short to hold a trie`);
    const trieSize = new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0, true);
    if (trieSize >= blob.length) fail(`the trie size ${trieSize} exceeds the ${blob.length}-byte blob`);
    // Normalizer::Init: the trie has trieSize / 4 units (rounded down); copied, as the blob need not be aligned.
    const unitCount = Math.floor(trieSize / 4);
    if (unitCount === 0) fail('the trie is empty');
    const view = new DataView(blob.buffer, blob.byteOffset + 4, unitCount * 4);
    this.units = Uint32Array.from({ length: unitCount }, (_, i) => view.getUint32(4 * i, true));
    this.normalized = blob.subarray(4 + trieSize);
    // Every value is an offset of a NUL-terminated string; a final NUL bounds them all.
    if (this.normalized.length === 0 || this.normalized[this.normalized.length - 1] !== 0) fail('the normalized strings do not end with a NUL byte');
  }

  /**
   * The longest rule matching a prefix of bytes[start, end), or undefined (Normalizer::NormalizePrefix: of the
   * trie's common-prefix matches it keeps the longest). darts-clone's commonPrefixSearch, with every unit index
   * checked against the array so that a corrupt table fails instead of reading outside it.
   */
  longestMatch(bytes: Uint8Array, start: number, end: number): CharsmapMatch | undefined {
    const units = this.units;
    let length = 0;
    let value = 0;
    let node = this.offset(units[0]);
    for (let i = start; i < end; i++) {
      const label = bytes[i];
      node = (node ^ label) >>> 0;
      const unit = this.unit(node);
      // label(): the unit's label byte plus its leaf bit (bit 31), so a leaf unit never matches a byte.
      if ((unit & 0x800000ff) >>> 0 !== label) break;
      node = (node ^ this.offset(unit)) >>> 0;
      if ((unit >>> 8) & 1) {
        length = i - start + 1;
        value = this.unit(node) & 0x7fffffff;
      }
    }
    return length === 0 ? undefined : { length, replacement: this.replacement(value) };
  }

  /** darts-clone DoubleArrayUnit::offset(). */
  private offset(unit: number): number {
    return ((unit >>> 10) << ((unit & (1 << 9)) >>> 6)) >>> 0;
  }

  private unit(index: number): number {
    if (index >= this.units.length) {
      throw new SentencePieceModelError(this.source, `normalizer_spec.precompiled_charsmap: the trie points at unit ${index} of ${this.units.length}; the table is corrupt`);
    }
    return this.units[index];
  }

  private replacement(offset: number): Uint8Array {
    let cached = this.replacements.get(offset);
    if (cached === undefined) {
      if (offset >= this.normalized.length) {
        throw new SentencePieceModelError(
          this.source,
          `normalizer_spec.precompiled_charsmap: a rule points at byte ${offset} of ${this.normalized.length} normalized bytes; the table is corrupt`,
        );
      }
      cached = this.normalized.subarray(offset, this.normalized.indexOf(0, offset));
      this.replacements.set(offset, cached);
    }
    return cached;
  }
}
