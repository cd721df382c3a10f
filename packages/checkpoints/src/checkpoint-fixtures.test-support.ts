// Test-only (excluded from the build): the shared fixtures/checkpoints and bit-exact comparisons of what was read.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostTensor, TensorSource } from '@clipkit/core';
import { expect } from 'vitest';
import { concatChunks } from './testing/zip-writer.js';

export const CHECKPOINTS = `${process.env.CLIPKIT_SHARED}/fixtures/checkpoints`;

/** Every tensor of a source, in its order, checking that each read matches its entry. */
export async function readAll(source: TensorSource): Promise<Map<string, HostTensor>> {
  const tensors = new Map<string, HostTensor>();
  for (const [name, entry] of source.entries) {
    const tensor = await source.read(name);
    expect(tensor.dtype, name).toBe(entry.dtype);
    expect(tensor.shape, name).toEqual(entry.shape);
    expect(tensor.data.length, name).toBe(entry.shape.reduce((n, d) => n * d, 1));
    tensors.set(name, tensor);
  }
  return tensors;
}

export function bytesOf(tensor: HostTensor): Uint8Array {
  return new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
}

/** Same names, dtypes, shapes and bytes (no tolerance). */
export function expectBitIdentical(actual: ReadonlyMap<string, HostTensor>, expected: ReadonlyMap<string, HostTensor>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, want] of expected) {
    const got = actual.get(name)!;
    expect({ name, dtype: got.dtype, shape: got.shape }).toEqual({ name, dtype: want.dtype, shape: want.shape });
    expect(Buffer.compare(bytesOf(got), bytesOf(want)), name).toBe(0);
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'clipkit-checkpoints-'));
let written = 0;

/** Writes archive chunks (testing/zip-writer) to a fresh file named `<name>.pt` and returns its path. */
export function writeTemp(chunks: readonly Uint8Array[], name = 'archive'): string {
  const dir = join(scratch, String(written++));
  mkdirSync(dir);
  const path = join(dir, `${name}.pt`);
  writeFileSync(path, concatChunks(chunks));
  return path;
}
