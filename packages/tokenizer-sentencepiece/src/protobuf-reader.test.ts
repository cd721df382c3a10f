import { describe, expect, it } from 'vitest';
import { ProtobufReader, WireType } from './protobuf-reader.js';
import { SentencePieceModelError } from './sentencepiece-model-error.js';

// Truth: the protobuf encoding spec (https://protobuf.dev/programming-guides/encoding/), worked by hand:
// 150 is 0x96 0x01; -1 as int32 is ten bytes (sign-extended to 64 bits); a float is 4 little-endian bytes.

const reader = (bytes: number[]) => new ProtobufReader(Uint8Array.from(bytes), 'test.model');

describe('ProtobufReader', () => {
  it('reads tags, varints, int32, bool, float, strings and embedded messages', () => {
    // field 1 varint 150 | field 2 varint -1 | field 3 fixed32 1.5 | field 4 "hé" | field 5 message { field 1 varint 1 }
    const r = reader([
      0x08, 0x96, 0x01, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x1d, 0x00, 0x00, 0xc0, 0x3f, 0x22, 0x03, 0x68, 0xc3, 0xa9, 0x2a, 0x02, 0x08, 0x01,
    ]);
    expect(r.tag()).toEqual({ field: 1, wireType: WireType.VARINT });
    expect(r.int32()).toBe(150);
    expect(r.tag()).toEqual({ field: 2, wireType: WireType.VARINT });
    expect(r.int32()).toBe(-1);
    expect(r.tag()).toEqual({ field: 3, wireType: WireType.I32 });
    expect(r.float()).toBe(1.5);
    expect(r.tag()).toEqual({ field: 4, wireType: WireType.LEN });
    expect(r.string()).toBe('hé');
    expect(r.tag()).toEqual({ field: 5, wireType: WireType.LEN });
    const inner = r.message();
    expect(r.done).toBe(true);
    expect(inner.tag()).toEqual({ field: 1, wireType: WireType.VARINT });
    expect(inner.bool()).toBe(true);
    expect(inner.done).toBe(true);
  });

  it('skips fields of every wire type it accepts', () => {
    // varint, 64-bit, length-delimited, 32-bit, then field 9 varint 7
    const r = reader([0x08, 0x80, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 0x02, 0xaa, 0xbb, 0x25, 1, 2, 3, 4, 0x48, 0x07]);
    for (let i = 0; i < 4; i++) r.skip(r.tag().wireType);
    expect(r.tag().field).toBe(9);
    expect(r.int32()).toBe(7);
  });

  it.each([
    ['a varint cut short', [0x08, 0x96], (r: ProtobufReader) => r.tag() && r.int32(), /varint runs past the end/],
    ['a varint longer than 10 bytes', [0x08, ...Array(10).fill(0xff), 0x01], (r: ProtobufReader) => r.tag() && r.int32(), /varint longer than 10 bytes/],
    ['a length past the end', [0x0a, 0x05, 0x61], (r: ProtobufReader) => r.tag() && r.lengthDelimited(), /length 5 runs past the end of its message \(1 bytes left\)/],
    ['a float cut short', [0x15, 0x00, 0x00], (r: ProtobufReader) => r.tag() && r.float(), /4 bytes needed, 2 left/],
    ['a group (wire type 3)', [0x0b], (r: ProtobufReader) => r.tag(), /field 1 has wire type 3/],
    ['wire type 7', [0x0f], (r: ProtobufReader) => r.tag(), /field 1 has wire type 7/],
    ['field number 0', [0x02, 0x00], (r: ProtobufReader) => r.tag(), /field number 0/],
    ['invalid UTF-8 in a string', [0x0a, 0x02, 0xc3, 0x28], (r: ProtobufReader) => r.tag() && r.string(), /not valid UTF-8/],
  ])('fails on %s with an error naming the file', (_name, bytes, read, message) => {
    const attempt = () => read(reader(bytes));
    expect(attempt).toThrow(SentencePieceModelError);
    expect(attempt).toThrow(/^test\.model: malformed protobuf at byte \d+/);
    expect(attempt).toThrow(message);
  });

  it('keeps an embedded message within its length', () => {
    // field 1 message of 2 bytes whose varint claims to continue past them, then field 2
    const r = reader([0x0a, 0x02, 0x08, 0x96, 0x10, 0x01]);
    r.tag();
    const inner = r.message();
    inner.tag();
    expect(() => inner.int32()).toThrow(/varint runs past the end of its message/);
    expect(r.tag()).toEqual({ field: 2, wireType: WireType.VARINT });
  });

  it('names the field whose wire type does not match its declaration', () => {
    expect(() => reader([]).expect('pieces (1)', WireType.VARINT, WireType.LEN)).toThrow(/field pieces \(1\) has wire type 0, expected 2/);
  });
});
