import { CheckpointError } from '../checkpoint-error.js';
import { CENTRAL_HEADER_SIZE, type CentralDirectoryLocation, readUint64 } from './end-of-central-directory.js';

/** One file of a zip archive, as its central directory header describes it (APPNOTE 4.3.12). */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated; torch stores every record (TorchScript deflates some code/ files). */
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const ZIP64_EXTRA_ID = 0x0001;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const ALL_ONES_32 = 0xffffffff;
/** The local header's fixed part: an entry's data starts after it, its name and its extra field. */
export const LOCAL_HEADER_SIZE = 30;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Reads the 64-bit values of a zip64 extra field (id 0x0001): only the fields whose 32-bit central header
 * value is all ones are present, in the order uncompressed size, compressed size, local header offset.
 */
function zip64Values(view: DataView, start: number, end: number, wanted: number, fail: (m: string) => CheckpointError): number[] {
  for (let at = start; at + 4 <= end; ) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (at + 4 + length > end) throw fail(`an extra field of ${length} bytes runs past its header`);
    if (id === ZIP64_EXTRA_ID) {
      if (length < wanted * 8) throw fail(`its zip64 extra field has ${length} bytes, ${wanted * 8} needed`);
      const values: number[] = [];
      for (let i = 0; i < wanted; i++) {
        const value = readUint64(view, at + 4 + 8 * i);
        if (value === null) throw fail('a zip64 size or offset exceeds 2^53');
        values.push(value);
      }
      return values;
    }
    at += 4 + length;
  }
  if (wanted > 0) throw fail('its sizes or offset say "see zip64" but it has no zip64 extra field');
  return [];
}

/**
 * Parses the central directory (read whole: its size is bounded by the file). Every size and offset is
 * checked against the file before anything trusts it: each entry's local header and data must lie
 * before the central directory.
 */
export function parseCentralDirectory(path: string, bytes: Uint8Array, location: CentralDirectoryLocation): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let index = 0; index < location.entryCount; index++) {
    const fail = (message: string) => new CheckpointError(path, `not a valid zip archive: central directory entry ${index} (byte ${location.offset + at}): ${message}`);
    if (at + CENTRAL_HEADER_SIZE > bytes.length || view.getUint32(at, true) !== CENTRAL_HEADER_SIGNATURE) throw fail('no central directory header here');
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const headerEnd = at + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
    if (headerEnd > bytes.length) throw fail('its name, extra field and comment run past the central directory');
    const nameBytes = bytes.subarray(at + CENTRAL_HEADER_SIZE, at + CENTRAL_HEADER_SIZE + nameLength);
    let name: string;
    try {
      name = flags & FLAG_UTF8 ? utf8.decode(nameBytes) : latin1.decode(nameBytes);
    } catch {
      throw fail('its name is not valid UTF-8');
    }
    if (flags & FLAG_ENCRYPTED) throw fail(`"${name}" is encrypted`);
    let size = view.getUint32(at + 24, true);
    let compressedSize = view.getUint32(at + 20, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    const wide = [size, compressedSize, localHeaderOffset].filter((v) => v === ALL_ONES_32).length;
    const values = zip64Values(view, at + CENTRAL_HEADER_SIZE + nameLength, at + CENTRAL_HEADER_SIZE + nameLength + extraLength, wide, fail);
    if (size === ALL_ONES_32) size = values.shift()!;
    if (compressedSize === ALL_ONES_32) compressedSize = values.shift()!;
    if (localHeaderOffset === ALL_ONES_32) localHeaderOffset = values.shift()!;
    const dataEnd = localHeaderOffset + LOCAL_HEADER_SIZE + nameLength + compressedSize;
    if (dataEnd > location.offset) {
      throw fail(`"${name}": its header at byte ${localHeaderOffset} and ${compressedSize} bytes of data run past the central directory at byte ${location.offset}`);
    }
    if (method === 0 && compressedSize !== size) throw fail(`"${name}" is stored but its sizes differ (${compressedSize} and ${size})`);
    if (entries.has(name)) throw fail(`"${name}" appears twice`);
    entries.set(name, { name, method, crc32: view.getUint32(at + 16, true), compressedSize, size, localHeaderOffset });
    at = headerEnd;
  }
  return entries;
}
