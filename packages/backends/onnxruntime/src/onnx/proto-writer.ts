/**
 * A protobuf encoder for the few ONNX messages clipkit writes (see encode-onnx-model.ts). Hand-written
 * rather than protobufjs: writing needs only varints, fixed32 floats and length-delimited fields, and
 * here a message is a list of byte chunks whose large `bytes` fields stay views of the caller's arrays,
 * so a 350 MB model is streamed to disk without being copied into one buffer first.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

function varint(value: bigint): Uint8Array {
  // Negative int64 values are encoded as their 64-bit two's complement (10 bytes), as protobuf does.
  let v = BigInt.asUintN(64, value);
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Uint8Array.from(bytes);
}

function tag(field: number, wireType: number): Uint8Array {
  return varint(BigInt((field << 3) | wireType));
}

/** One message being encoded: its fields in the order they are added. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  get byteLength(): number {
    return this.length;
  }

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.byteLength;
  }

  /** int32, int64 and enum fields. */
  int(field: number, value: number | bigint): this {
    this.push(tag(field, WIRE_VARINT));
    this.push(varint(BigInt(value)));
    return this;
  }

  float(field: number, value: number): this {
    this.push(tag(field, WIRE_FIXED32));
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A bytes field; `value` is kept by reference, not copied. */
  bytes(field: number, value: Uint8Array): this {
    this.push(tag(field, WIRE_LENGTH_DELIMITED));
    this.push(varint(BigInt(value.byteLength)));
    this.push(value);
    return this;
  }

  /** A repeated int64 field, packed (proto3's default encoding). */
  packedInts(field: number, values: readonly number[]): this {
    const encoded = values.map((v) => varint(BigInt(v)));
    this.push(tag(field, WIRE_LENGTH_DELIMITED));
    this.push(varint(BigInt(encoded.reduce((n, b) => n + b.byteLength, 0))));
    for (const bytes of encoded) this.push(bytes);
    return this;
  }

  /** A nested message. */
  message(field: number, message: ProtoWriter): this {
    this.push(tag(field, WIRE_LENGTH_DELIMITED));
    this.push(varint(BigInt(message.byteLength)));
    for (const part of message.parts) this.push(part);
    return this;
  }

  /** The encoded message as consecutive chunks (their concatenation is the wire format). */
  chunks(): readonly Uint8Array[] {
    return this.parts;
  }
}
