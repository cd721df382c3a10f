import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './proto-writer.js';

// Expected bytes are the worked examples of the protobuf encoding guide (protobuf.dev/programming-guides/encoding).
function bytes(writer: ProtoWriter): number[] {
  return writer.chunks().flatMap((chunk) => [...chunk]);
}

describe('ProtoWriter', () => {
  it('encodes a varint field as the guide\'s "a = 150" example: 08 96 01', () => {
    expect(bytes(new ProtoWriter().int(1, 150))).toEqual([0x08, 0x96, 0x01]);
  });

  it("encodes a negative int64 as 10 bytes of two's complement", () => {
    expect(bytes(new ProtoWriter().int(1, -1))).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('encodes a string field as the guide\'s "b = testing" example', () => {
    expect(bytes(new ProtoWriter().string(2, 'testing'))).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
  });

  it('encodes a nested message as the guide\'s "c = { a: 150 }" example: 1a 03 08 96 01', () => {
    expect(bytes(new ProtoWriter().message(3, new ProtoWriter().int(1, 150)))).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
  });

  it('encodes packed repeated ints as the guide\'s "d = [3, 270, 86942]" example', () => {
    expect(bytes(new ProtoWriter().packedInts(4, [3, 270, 86942]))).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
  });

  it('encodes a float as fixed32 little-endian (1.5 = 0x3fc00000)', () => {
    expect(bytes(new ProtoWriter().float(2, 1.5))).toEqual([0x15, 0x00, 0x00, 0xc0, 0x3f]);
  });

  it('keeps large bytes fields by reference, through nesting, and counts them in the length', () => {
    const payload = new Uint8Array(300);
    const outer = new ProtoWriter().message(1, new ProtoWriter().bytes(9, payload));
    expect(outer.chunks()).toContain(payload);
    // inner: tag 0x4a, length 300 = ac 02, payload; outer: tag 0x0a, length 303 = af 02
    expect(bytes(outer).slice(0, 5)).toEqual([0x0a, 0xaf, 0x02, 0x4a, 0xac]);
    expect(outer.byteLength).toBe(3 + 303);
  });
});
