import type { FileHandle } from 'node:fs/promises';
import { CheckpointError } from '../checkpoint-error.js';
import { readExactly } from './read-exactly.js';

/** Where the central directory is, from the end records (APPNOTE 6.3.10, sections 4.3.14-4.3.16). */
export interface CentralDirectoryLocation {
  readonly offset: number;
  readonly size: number;
  readonly entryCount: number;
  /** Where the end records begin: the central directory must end at or before it. */
  readonly endRecordsOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;
/** The smallest central directory header (fixed part, no name): bounds the entry count by the directory size. */
export const CENTRAL_HEADER_SIZE = 46;

/** A little-endian unsigned 64-bit field as a number, or null when it exceeds what a double holds exactly. */
export function readUint64(view: DataView, offset: number): number | null {
  const value = view.getBigUint64(offset, true);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

/**
 * Finds the end-of-central-directory record by scanning back from the end (it is followed only by its
 * comment, so its comment length must reach the end of the file exactly), then the zip64 records when a
 * locator precedes it. torch's writer always adds zip64 records; files over 4 GiB have 0xFFFFFFFF in the
 * classic fields and the real values only there.
 */
export async function findCentralDirectory(path: string, file: FileHandle, fileSize: number): Promise<CentralDirectoryLocation> {
  const fail = (message: string) => new CheckpointError(path, `not a valid zip archive: ${message}`);
  const tailLength = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
  const tail = await readExactly(file, tailLength, fileSize - tailLength);
  if (!tail) throw fail('the file shrank while it was read');
  const view = new DataView(tail.buffer);
  let at = -1;
  for (let i = tailLength - EOCD_SIZE; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE && i + EOCD_SIZE + view.getUint16(i + 20, true) === tailLength) {
      at = i;
      break;
    }
  }
  if (at < 0) throw fail('no end-of-central-directory record (the file is truncated, or not a zip)');
  const eocdOffset = fileSize - tailLength + at;
  const classic = {
    disk: view.getUint16(at + 4, true),
    directoryDisk: view.getUint16(at + 6, true),
    entriesOnDisk: view.getUint16(at + 8, true),
    entryCount: view.getUint16(at + 10, true),
    size: view.getUint32(at + 12, true),
    offset: view.getUint32(at + 16, true),
  };

  let location: CentralDirectoryLocation;
  const locator = eocdOffset >= ZIP64_LOCATOR_SIZE ? await readExactly(file, ZIP64_LOCATOR_SIZE, eocdOffset - ZIP64_LOCATOR_SIZE) : null;
  const locatorView = locator ? new DataView(locator.buffer) : null;
  if (locatorView && locatorView.getUint32(0, true) === ZIP64_LOCATOR_SIGNATURE) {
    const locatorOffset = eocdOffset - ZIP64_LOCATOR_SIZE;
    const recordOffset = readUint64(locatorView, 8);
    if (locatorView.getUint32(4, true) !== 0 || locatorView.getUint32(16, true) > 1) throw fail('multi-disk archives are not supported');
    if (recordOffset === null || recordOffset + ZIP64_EOCD_SIZE > locatorOffset) {
      throw fail(`the zip64 locator points at byte ${locatorView.getBigUint64(8, true)}, outside the ${locatorOffset} bytes before it`);
    }
    const record = await readExactly(file, ZIP64_EOCD_SIZE, recordOffset);
    const z = record ? new DataView(record.buffer) : null;
    if (!z || z.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) throw fail(`no zip64 end-of-central-directory record at byte ${recordOffset}`);
    const entriesOnDisk = readUint64(z, 24);
    const entryCount = readUint64(z, 32);
    const size = readUint64(z, 40);
    const offset = readUint64(z, 48);
    if (z.getUint32(16, true) !== 0 || z.getUint32(20, true) !== 0 || entriesOnDisk !== entryCount) throw fail('multi-disk archives are not supported');
    if (entryCount === null || size === null || offset === null) throw fail('zip64 central directory fields exceed 2^53');
    // Classic fields hold either the same value or the "see zip64" marker (all ones).
    const agrees = (value: number, zip64Value: number, marker: number) => value === marker || value === zip64Value;
    if (!agrees(classic.entryCount, entryCount, 0xffff) || !agrees(classic.size, size, 0xffffffff) || !agrees(classic.offset, offset, 0xffffffff)) {
      throw fail(
        `the end record (${classic.entryCount} entries, ${classic.size} bytes at ${classic.offset}) contradicts the zip64 record (${entryCount} entries, ${size} bytes at ${offset})`,
      );
    }
    location = { offset, size, entryCount, endRecordsOffset: recordOffset };
  } else {
    if (classic.disk !== 0 || classic.directoryDisk !== 0 || classic.entriesOnDisk !== classic.entryCount) throw fail('multi-disk archives are not supported');
    location = { offset: classic.offset, size: classic.size, entryCount: classic.entryCount, endRecordsOffset: eocdOffset };
  }
  if (location.offset + location.size > location.endRecordsOffset) {
    throw fail(`the central directory (${location.size} bytes at byte ${location.offset}) runs past the end records at byte ${location.endRecordsOffset} (truncated file?)`);
  }
  if (location.entryCount * CENTRAL_HEADER_SIZE > location.size) {
    throw fail(`${location.entryCount} entries cannot fit in a central directory of ${location.size} bytes`);
  }
  return location;
}
