import { crc32, deflateRawSync } from 'node:zlib';

/** One file of an archive to write. */
export interface ZipRecord {
  name: string;
  data: Uint8Array;
  /** Store deflated (method 8), as TorchScript does with some code/ files. Default false (stored). */
  deflate?: boolean;
}

export interface ZipWriterOptions {
  /** Each record's data starts at a multiple of this, as torch's writer pads with an "FB" extra field. Default 64. */
  align?: number;
  /**
   * Put 0xFFFFFFFF in every 32-bit size and offset and the real values only in the zip64 extra fields and end
   * record, as a writer must for files over 4 GiB: tests the zip64 path on a small file. Default false.
   */
  zip64Fields?: boolean;
}

const PAD_ID = 0x4246; // "FB", torch's padding extra field
const ZIP64_ID = 0x0001;
const ALL_ONES_32 = 0xffffffff;

function header(size: number, write: (view: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size);
  write(new DataView(bytes.buffer));
  return bytes;
}

/**
 * A zip archive laid out as torch's writer (caffe2 PyTorchStreamWriter over miniz) lays it out: local
 * headers with flags 0x0808 and zero CRC/sizes (the real ones only in the central directory), data padded
 * to 64-byte boundaries, and zip64 end records always present. Returned as chunks so that large archives
 * can be written without one big copy. For tests and benchmarks; clipkit never writes torch files.
 */
export function zipChunks(records: readonly ZipRecord[], options: ZipWriterOptions = {}): Uint8Array[] {
  const align = options.align ?? 64;
  const wide = options.zip64Fields ?? false;
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const record of records) {
    const name = encoder.encode(record.name);
    const data = record.deflate ? new Uint8Array(deflateRawSync(record.data)) : record.data;
    const fixed = 30 + name.length;
    // Pad with an extra field (4-byte header + 'Z's) so that the data lands on the boundary.
    const extraLength = align > 1 ? 4 + ((align - ((offset + fixed + 4) % align)) % align) : 0;
    const padding = extraLength - 4;
    const local = header(fixed + extraLength, (v) => {
      v.setUint32(0, 0x04034b50, true);
      v.setUint16(4, 45, true);
      v.setUint16(6, 0x0808, true);
      v.setUint16(8, record.deflate ? 8 : 0, true);
      v.setUint16(26, name.length, true);
      v.setUint16(28, extraLength, true);
      if (extraLength > 0) {
        v.setUint16(fixed, PAD_ID, true);
        v.setUint16(fixed + 2, padding, true);
        for (let i = 0; i < padding; i++) v.setUint8(fixed + 4 + i, 0x5a);
      }
    });
    local.set(name, 30);
    const centralExtra = wide ? 28 : 0;
    const entry = header(46 + name.length + centralExtra, (v) => {
      v.setUint32(0, 0x02014b50, true);
      v.setUint16(4, 45, true);
      v.setUint16(6, 45, true);
      v.setUint16(8, 0x0808, true);
      v.setUint16(10, record.deflate ? 8 : 0, true);
      v.setUint32(16, crc32(record.data), true);
      v.setUint32(20, wide ? ALL_ONES_32 : data.length, true);
      v.setUint32(24, wide ? ALL_ONES_32 : record.data.length, true);
      v.setUint16(28, name.length, true);
      v.setUint16(30, centralExtra, true);
      v.setUint32(42, wide ? ALL_ONES_32 : offset, true);
      if (wide) {
        const at = 46 + name.length;
        v.setUint16(at, ZIP64_ID, true);
        v.setUint16(at + 2, 24, true);
        v.setBigUint64(at + 4, BigInt(record.data.length), true);
        v.setBigUint64(at + 12, BigInt(data.length), true);
        v.setBigUint64(at + 20, BigInt(offset), true);
      }
    });
    entry.set(name, 46);
    chunks.push(local, data);
    central.push(entry);
    offset += local.length + data.length;
  }
  const directoryOffset = offset;
  const directorySize = central.reduce((n, c) => n + c.length, 0);
  const zip64End = header(56, (v) => {
    v.setUint32(0, 0x06064b50, true);
    v.setBigUint64(4, 44n, true);
    v.setUint16(12, 45, true);
    v.setUint16(14, 45, true);
    v.setBigUint64(24, BigInt(records.length), true);
    v.setBigUint64(32, BigInt(records.length), true);
    v.setBigUint64(40, BigInt(directorySize), true);
    v.setBigUint64(48, BigInt(directoryOffset), true);
  });
  const locator = header(20, (v) => {
    v.setUint32(0, 0x07064b50, true);
    v.setBigUint64(8, BigInt(directoryOffset + directorySize), true);
    v.setUint32(16, 1, true);
  });
  const end = header(22, (v) => {
    v.setUint32(0, 0x06054b50, true);
    v.setUint16(8, wide ? 0xffff : records.length, true);
    v.setUint16(10, wide ? 0xffff : records.length, true);
    v.setUint32(12, wide ? ALL_ONES_32 : directorySize, true);
    v.setUint32(16, wide ? ALL_ONES_32 : directoryOffset, true);
  });
  return [...chunks, ...central, zip64End, locator, end];
}

/** The chunks as one buffer (small archives in tests). */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
