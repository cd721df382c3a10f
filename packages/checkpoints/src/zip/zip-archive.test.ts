import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../checkpoint-error.js';
import { zipHeaderFields } from '../testing/zip-header-fields.js';
import { concatChunks, type ZipRecord, type ZipWriterOptions, zipChunks } from '../testing/zip-writer.js';
import { ZipArchive } from './zip-archive.js';

const dir = mkdtempSync(join(tmpdir(), 'clipkit-zip-'));
const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/checkpoints`;
let files = 0;

function save(bytes: Uint8Array): string {
  const path = join(dir, `archive-${files++}.zip`);
  writeFileSync(path, bytes);
  return path;
}

const text = (s: string) => new TextEncoder().encode(s);
const RECORDS: ZipRecord[] = [
  { name: 'archive/data.pkl', data: text('pickle bytes') },
  { name: 'archive/code/__torch__/model.py', data: text('def forward(self):\n'.repeat(40)), deflate: true },
  { name: 'archive/data/0', data: Uint8Array.from({ length: 1000 }, (_, i) => i % 251) },
];

function archiveBytes(options?: ZipWriterOptions): Uint8Array {
  return concatChunks(zipChunks(RECORDS, options));
}

/** A copy of `bytes` with header fields (by their zipHeaderFields name) set to new values. */
function withFields(bytes: Uint8Array, values: Record<string, number>): Uint8Array {
  const fields = zipHeaderFields(bytes);
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  for (const [name, value] of Object.entries(values)) {
    const field = fields.find((f) => f.name === name);
    if (!field) throw new Error(`no field ${name}`);
    if (field.width === 2) view.setUint16(field.offset, value, true);
    else if (field.width === 4) view.setUint32(field.offset, value, true);
    else view.setBigUint64(field.offset, BigInt(value), true);
  }
  return copy;
}

async function rejection(bytes: Uint8Array): Promise<string> {
  try {
    const archive = await ZipArchive.open(save(bytes));
    try {
      for (const entry of archive.entries.values()) await archive.readEntry(entry, 1 << 20);
    } finally {
      await archive.close();
    }
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return (error as Error).message;
  }
  throw new Error('the archive was accepted');
}

describe('ZipArchive reads torch-layout archives', () => {
  it.each([
    ['classic sizes', {}],
    ['every size and offset only in zip64 fields', { zip64Fields: true }],
  ])('reads stored and deflated records (%s), data 64-byte aligned', async (_, options: ZipWriterOptions) => {
    const archive = await ZipArchive.open(save(archiveBytes(options)));
    expect([...archive.entries.keys()]).toEqual(RECORDS.map((r) => r.name));
    for (const record of RECORDS) {
      const entry = archive.entries.get(record.name)!;
      expect(entry.size).toBe(record.data.length);
      expect(await archive.readEntry(entry, 1 << 20)).toEqual(record.data);
      if (!record.deflate) {
        const offset = await archive.dataOffset(entry);
        expect(offset % 64).toBe(0);
        expect(await archive.readRange(offset, record.data.length)).toEqual(record.data);
      }
    }
    await archive.close();
  });

  it('accepts an archive comment after the end record', async () => {
    const bytes = archiveBytes();
    const withComment = new Uint8Array(bytes.length + 5);
    withComment.set(bytes);
    withComment.set(text('hello'), bytes.length);
    new DataView(withComment.buffer).setUint16(bytes.length - 2, 5, true);
    const archive = await ZipArchive.open(save(withComment));
    expect(archive.entries.size).toBe(3);
    await archive.close();
  });

  it.each(['hf-bin/pytorch_model.bin', 'openai-jit-vit/model.pt', 'edge-cases/edge-cases.bin'])('lists %s and finds every record where its CRC-32 says', async (file) => {
    const archive = await ZipArchive.open(`${FIXTURES}/${file}`);
    for (const entry of archive.entries.values()) {
      const data = await archive.readEntry(entry, 1 << 24); // throws on a CRC mismatch
      expect(crc32(data)).toBe(entry.crc32);
      if (entry.method === 0) expect((await archive.dataOffset(entry)) % 64).toBe(0); // the fixtures README: 64-byte aligned
    }
    await archive.close();
  });
});

describe('ZipArchive refuses damaged archives with a CheckpointError naming the file', () => {
  const bytes = archiveBytes();
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['an empty file', () => new Uint8Array(0), /no end-of-central-directory record/],
    ['junk after the end record', () => concatChunks([bytes, text('junk')]), /no end-of-central-directory record/],
    ['the first half of the archive', () => bytes.slice(0, bytes.length >> 1), /no end-of-central-directory record/],
    ['a zip64 locator pointing past itself', () => withFields(bytes, { 'zip64 locator record offset': bytes.length }), /zip64 locator points at byte/],
    ['end records that disagree', () => withFields(bytes, { 'end record entries': 2 }), /contradicts the zip64 record/],
    [
      'a central directory running into the end records',
      () => withFields(bytes, { 'zip64 end record directory size': 100_000, 'end record directory size': 0xffffffff }),
      /runs past the end records/,
    ],
    [
      'more entries than the directory can hold',
      () => withFields(bytes, { 'zip64 end record entries': 9, 'zip64 end record entries on disk': 9, 'end record entries': 0xffff }),
      /9 entries cannot fit/,
    ],
    [
      'an entry whose data runs past the directory',
      () => withFields(bytes, { 'central entry 2 size': 99_999, 'central entry 2 compressed size': 99_999 }),
      /run past the central directory/,
    ],
    ['a stored entry with two sizes', () => withFields(bytes, { 'central entry 2 size': 999 }), /is stored but its sizes differ/],
    ['an offset to no local header', () => withFields(bytes, { 'central entry 0 local header offset': 1 }), /"archive\/data.pkl": no local header at byte 1/],
    [
      'an offset to the local header of another file',
      () => withFields(bytes, { 'central entry 2 local header offset': 0 }),
      /"archive\/data\/0": its local header names another file/,
    ],
    ['local and central headers with different methods', () => withFields(bytes, { 'central entry 0 method': 8 }), /disagree on the compression method/],
    ['a local extra field running into the directory', () => withFields(bytes, { 'local header 2 extra length': 0xffff }), /run past the central directory/],
    ['"see zip64" without a zip64 field', () => withFields(bytes, { 'central entry 0 local header offset': 0xffffffff }), /has no zip64 extra field/],
    ['an unsupported compression method', () => withFields(bytes, { 'central entry 0 method': 12, 'local header 0 method': 12 }), /compression method 12 is not supported/],
    ['a record whose bytes changed', () => bytes.map((b, i) => (i === 64 ? b ^ 1 : b)), /CRC-32 mismatch/],
  ];
  it.each(cases)('%s', async (_, make, message) => {
    const error = await rejection(make());
    expect(error).toMatch(message);
    expect(error).toMatch(/archive-\d+\.zip: /);
  });

  it('refuses to read a record larger than the caller allows', async () => {
    const archive = await ZipArchive.open(save(bytes));
    await expect(archive.readEntry(archive.entries.get('archive/data/0')!, 999)).rejects.toThrow(/1000 bytes, more than the 999/);
    await archive.close();
  });
});
