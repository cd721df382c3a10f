import { type FileHandle, open } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';
import { CheckpointError } from '../checkpoint-error.js';
import { LOCAL_HEADER_SIZE, parseCentralDirectory, type ZipEntry } from './central-directory.js';
import { type CentralDirectoryLocation, findCentralDirectory } from './end-of-central-directory.js';
import { readExactly } from './read-exactly.js';

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/**
 * A zip archive read through a file handle: the central directory on open, then only the bytes asked for.
 * Written for torch's files rather than taken from npm because a checkpoint reader needs random access to
 * single records without reading or inflating the rest, and every offset checked against the file size
 * before it is used (yauzl, the well-kept choice, streams entries instead).
 */
export class ZipArchive {
  private readonly dataOffsets = new Map<string, Promise<number>>();

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    /** Bytes in the file. */
    readonly size: number,
    private readonly directory: CentralDirectoryLocation,
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  static async open(path: string): Promise<ZipArchive> {
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (error) {
      throw new CheckpointError(path, `cannot open the file: ${(error as Error).message}`);
    }
    try {
      const { size } = await file.stat();
      const location = await findCentralDirectory(path, file, size);
      const bytes = await readExactly(file, location.size, location.offset);
      if (!bytes) throw new CheckpointError(path, 'the file shrank while it was read');
      return new ZipArchive(path, file, size, location, parseCentralDirectory(path, bytes, location));
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /**
   * Where an entry's data starts: after its local header, whose name and extra field lengths may differ
   * from the central directory's (torch pads the local extra field so that data is 64-byte aligned).
   */
  dataOffset(entry: ZipEntry): Promise<number> {
    let offset = this.dataOffsets.get(entry.name);
    if (!offset) {
      offset = this.readLocalHeader(entry);
      this.dataOffsets.set(entry.name, offset);
    }
    return offset;
  }

  private async readLocalHeader(entry: ZipEntry): Promise<number> {
    const fail = (message: string) => new CheckpointError(this.path, `not a valid zip archive: "${entry.name}": ${message}`);
    const nameBytes = new TextEncoder().encode(entry.name);
    const header = await readExactly(this.file, LOCAL_HEADER_SIZE + nameBytes.length, entry.localHeaderOffset);
    if (!header) throw fail('its local header runs past the end of the file');
    const view = new DataView(header.buffer);
    if (view.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) throw fail(`no local header at byte ${entry.localHeaderOffset}`);
    if (view.getUint16(8, true) !== entry.method) throw fail('its local header and central directory disagree on the compression method');
    const nameLength = view.getUint16(26, true);
    const extraLength = view.getUint16(28, true);
    const localName = header.subarray(LOCAL_HEADER_SIZE);
    if (nameLength !== nameBytes.length || !localName.every((b, i) => b === nameBytes[i])) throw fail('its local header names another file');
    const start = entry.localHeaderOffset + LOCAL_HEADER_SIZE + nameLength + extraLength;
    if (start + entry.compressedSize > this.directory.offset) {
      throw fail(`its ${entry.compressedSize} bytes of data at byte ${start} run past the central directory at byte ${this.directory.offset}`);
    }
    return start;
  }

  /**
   * A whole entry, inflated if needed and checked against its CRC-32: for the small records (data.pkl,
   * byteorder). `maxBytes` bounds what a hostile size field can make it allocate.
   */
  async readEntry(entry: ZipEntry, maxBytes: number): Promise<Uint8Array> {
    const fail = (message: string) => new CheckpointError(this.path, `"${entry.name}": ${message}`);
    if (entry.size > maxBytes) throw fail(`${entry.size} bytes, more than the ${maxBytes} this record can hold in a checkpoint`);
    if (entry.method !== STORED && entry.method !== DEFLATED) throw fail(`compression method ${entry.method} is not supported (only stored and deflate)`);
    const raw = await this.readRange(await this.dataOffset(entry), entry.compressedSize);
    let bytes = raw;
    if (entry.method === DEFLATED) {
      try {
        bytes = new Uint8Array(inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) }));
      } catch (error) {
        throw fail(`cannot inflate: ${(error as Error).message}`);
      }
      if (bytes.length !== entry.size) throw fail(`inflates to ${bytes.length} bytes, not the ${entry.size} its header says`);
    }
    if (crc32(bytes) !== entry.crc32) throw fail('CRC-32 mismatch: the file is corrupt');
    return bytes;
  }

  /** `length` bytes at `position` in a fresh buffer; the range must lie inside the file. */
  async readRange(position: number, length: number): Promise<Uint8Array> {
    const bytes = await readExactly(this.file, length, position);
    if (!bytes) throw new CheckpointError(this.path, `bytes ${position}..${position + length} run past the end of the file (truncated?)`);
    return bytes;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
