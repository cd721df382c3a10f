import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ClipkitError } from '@clipkit/core';

/** An IDX array of unsigned bytes: its dimensions and its row-major values. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

function unzip(file: string, bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new ClipkitError(`${file}: not a valid gzip file (${(error as Error).message}); the download or copy is probably truncated: reinstall or copy it again`, {
      cause: error,
    });
  }
}

/**
 * Reads an IDX file (LeCun's MNIST format, plain or gzipped by its .gz name): magic 00 00 08 0N (unsigned
 * bytes, N dimensions), N big-endian uint32 sizes, then the values. `innerDims` are the sizes every
 * dimension after the first must have ([28, 28] for Fashion-MNIST images, [] for labels).
 */
export function readIdx(file: string, innerDims: readonly number[]): IdxArray {
  const raw = readFileSync(file);
  const bytes = file.endsWith('.gz') ? unzip(file, raw) : raw;
  const rank = innerDims.length + 1;
  const expectedMagic = (UNSIGNED_BYTE << 8) | rank;
  if (bytes.length < 4) throw new ClipkitError(`${file}: ${bytes.length} bytes is too short for an IDX file`);
  const magic = bytes.readUInt32BE(0);
  if (magic !== expectedMagic) {
    throw new ClipkitError(
      `${file}: IDX magic number 0x${magic.toString(16).padStart(8, '0')}, expected 0x${expectedMagic.toString(16).padStart(8, '0')} (unsigned bytes, ${rank} dimensions); is this the right file?`,
    );
  }
  if (bytes.length < 4 + 4 * rank) throw new ClipkitError(`${file}: ${bytes.length} bytes is too short for an IDX header of ${rank} dimensions`);
  const dims = Array.from({ length: rank }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  if (dims.slice(1).some((d, i) => d !== innerDims[i])) {
    throw new ClipkitError(`${file}: IDX dimensions [${dims.join(', ')}], expected [count${innerDims.map((d) => `, ${d}`).join('')}]`);
  }
  const offset = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - offset !== size) {
    throw new ClipkitError(`${file}: dimensions [${dims.join(', ')}] need ${size} bytes of data, the file has ${bytes.length - offset}; the file is truncated or corrupt`);
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + offset, size) };
}
