import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ClipkitError } from '@clipkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readIdx } from './read-idx.js';

const dir = mkdtempSync(join(tmpdir(), 'clipkit-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file written byte by byte from the format description (magic, big-endian sizes, values). */
function idx(magic: number, dims: number[], values: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  for (const [i, d] of dims.entries()) header.writeUInt32BE(d, 4 + 4 * i);
  return Buffer.concat([header, Buffer.from(values)]);
}

function write(name: string, bytes: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe('readIdx', () => {
  it('reads 2 images of 2x3 from a gzipped file and labels from a plain one', () => {
    const images = readIdx(write('images.gz', gzipSync(idx(0x803, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]))), [2, 3]);
    expect(images.dims).toEqual([2, 2, 3]);
    expect([...images.data]).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    const labels = readIdx(write('labels', idx(0x801, [3], [9, 0, 4])), []);
    expect(labels.dims).toEqual([3]);
    expect([...labels.data]).toEqual([9, 0, 4]);
  });

  it('names the file and the problem for a wrong magic, wrong sizes, truncation and bad gzip', () => {
    const cases: [string, Buffer, number[], string][] = [
      ['labels-as-images.gz', gzipSync(idx(0x801, [3], [1, 2, 3])), [2, 3], 'magic number 0x00000801, expected 0x00000803'],
      ['int32.gz', gzipSync(idx(0xc03, [1, 2, 3], [])), [2, 3], 'magic number 0x00000c03'],
      ['wrong-dims.gz', gzipSync(idx(0x803, [1, 3, 3], new Array(9).fill(0))), [2, 3], 'dimensions [1, 3, 3], expected [count, 2, 3]'],
      ['truncated.gz', gzipSync(idx(0x803, [2, 2, 3], new Array(11).fill(0))), [2, 3], 'need 12 bytes of data, the file has 11'],
      ['short-header', Buffer.from([0, 0, 8]), [], 'too short'],
      ['not-gzip.gz', idx(0x801, [1], [1]), [], 'not a valid gzip file'],
    ];
    for (const [name, bytes, inner, message] of cases) {
      const file = write(name, bytes);
      expect(() => readIdx(file, inner), name).toThrow(ClipkitError);
      expect(() => readIdx(file, inner), name).toThrow(file);
      expect(() => readIdx(file, inner), name).toThrow(message);
    }
  });
});
