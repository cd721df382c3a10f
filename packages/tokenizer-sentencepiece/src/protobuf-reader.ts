import { SentencePieceModelError } from './sentencepiece-model-error.js';

/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure). */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads protobuf wire format from bytes[start, end). Every length is checked against the end of the
 * message it sits in, so truncated or corrupt input fails with an error naming the file and the byte
 * offset instead of reading past the buffer. Groups (wire types 3 and 4) are rejected: no message of a
 * SentencePiece model uses them.
 */
export class ProtobufReader {
  private position: number;

  constructor(
    private readonly bytes: Uint8Array,
    /** Names the file in errors. */
    readonly source: string,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.position = start;
  }

  get done(): boolean {
    return this.position >= this.end;
  }

  fail(message: string, at = this.position): never {
    throw new SentencePieceModelError(this.source, `malformed protobuf at byte ${at}: ${message}`);
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wireType: number } {
    const at = this.position;
    const { low, high } = this.varint();
    const field = high * 2 ** 29 + (low >>> 3);
    const wireType = low & 7;
    if (field === 0) this.fail('field number 0', at);
    if (wireType !== WireType.VARINT && wireType !== WireType.I64 && wireType !== WireType.LEN && wireType !== WireType.I32) {
      this.fail(`field ${field} has wire type ${wireType}, which is not one of 0 (varint), 1 (64-bit), 2 (length-delimited), 5 (32-bit)`, at);
    }
    return { field, wireType };
  }

  /** A varint of at most 10 bytes, as its low and high 32 bits (unsigned). */
  varint(): { low: number; high: number } {
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.end) this.fail('varint runs past the end of its message');
      const byte = this.bytes[this.position++];
      const bits = byte & 0x7f;
      if (i < 4) low |= bits << (7 * i);
      else if (i === 4) {
        low |= bits << 28; // 4 bits into the low word, 3 into the high word
        high = bits >>> 4;
      } else high |= bits << (7 * i - 32);
      if (byte < 0x80) return { low: low >>> 0, high: high >>> 0 };
    }
    this.fail('varint longer than 10 bytes');
  }

  /** An int32 or enum field (negative values are sign-extended to 64 bits on the wire). */
  int32(): number {
    return this.varint().low | 0;
  }

  bool(): boolean {
    const { low, high } = this.varint();
    return low !== 0 || high !== 0;
  }

  /** A float field (fixed 32-bit, little-endian). */
  float(): number {
    const bytes = this.take(4);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true);
  }

  /** A bytes field (a view into the buffer, not a copy). */
  lengthDelimited(): Uint8Array {
    const at = this.position;
    const { low, high } = this.varint();
    const length = high * 2 ** 32 + low;
    if (length > this.end - this.position) this.fail(`length ${length} runs past the end of its message (${this.end - this.position} bytes left)`, at);
    return this.take(length);
  }

  string(): string {
    const at = this.position;
    const bytes = this.lengthDelimited();
    try {
      return UTF8.decode(bytes);
    } catch {
      this.fail('string field is not valid UTF-8', at);
    }
  }

  /** A reader over an embedded message. */
  message(): ProtobufReader {
    const { length } = this.lengthDelimited();
    return new ProtobufReader(this.bytes, this.source, this.position - length, this.position);
  }

  /** Skips a field this reader does not use. */
  skip(wireType: number): void {
    if (wireType === WireType.VARINT) this.varint();
    else if (wireType === WireType.I64) this.take(8);
    else if (wireType === WireType.LEN) this.lengthDelimited();
    else this.take(4);
  }

  /** Fails unless a known field arrived with the wire type its declaration implies. */
  expect(field: string, wireType: number, expected: number): void {
    if (wireType !== expected) this.fail(`field ${field} has wire type ${wireType}, expected ${expected}`);
  }

  private take(length: number): Uint8Array {
    if (length > this.end - this.position) this.fail(`${length} bytes needed, ${this.end - this.position} left in the message`);
    const start = this.position;
    this.position += length;
    return this.bytes.subarray(start, this.position);
  }
}
