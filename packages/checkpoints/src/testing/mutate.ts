import type { SeededRandom } from '@clipkit/core';
import type { IntField } from './zip-header-fields.js';

/** A mutated copy of some bytes and what was done to it (to reproduce a failure from its seed). */
export interface Mutation {
  bytes: Uint8Array;
  description: string;
}

/** Values that break size and offset arithmetic: zero, one, the largest of each width, around 2^31 and 2^32. */
function boundaryValue(rng: SeededRandom, old: bigint, width: number, length: number): bigint {
  const max = (1n << BigInt(8 * width)) - 1n;
  const choices = [0n, 1n, max, max - 1n, old + 1n, old - 1n, old * 2n, old / 2n, 0x7fffffffn, 0x80000000n, BigInt(length), BigInt(length + 1), BigInt(rng.nextUint32())];
  const value = choices[rng.int(choices.length)];
  return ((value % (max + 1n)) + max + 1n) % (max + 1n);
}

function readUint(bytes: Uint8Array, offset: number, width: number): bigint {
  let value = 0n;
  for (let i = width - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i]);
  return value;
}

function writeUint(bytes: Uint8Array, offset: number, width: number, value: bigint): void {
  for (let i = 0; i < width; i++) bytes[offset + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

type Strategy = (input: Uint8Array, rng: SeededRandom, fields: readonly IntField[]) => Mutation;

const STRATEGIES: readonly Strategy[] = [
  function flipBits(input, rng) {
    const bytes = Uint8Array.from(input);
    const flips = 1 + rng.int(8);
    const at: number[] = [];
    for (let i = 0; i < flips; i++) {
      const position = rng.int(bytes.length);
      bytes[position] ^= 1 << rng.int(8);
      at.push(position);
    }
    return { bytes, description: `flipped bits at bytes ${at.join(', ')}` };
  },
  function setBytes(input, rng) {
    const bytes = Uint8Array.from(input);
    const position = rng.int(bytes.length);
    const count = Math.min(1 + rng.int(4), bytes.length - position);
    const value = [0x00, 0xff, 0x7f, 0x80, rng.int(256)][rng.int(5)];
    bytes.fill(value, position, position + count);
    return { bytes, description: `set ${count} bytes at ${position} to 0x${value.toString(16)}` };
  },
  function truncate(input, rng) {
    const length = rng.int(input.length);
    return { bytes: input.slice(0, length), description: `cut to ${length} bytes` };
  },
  function wrongField(input, rng, fields) {
    const bytes = Uint8Array.from(input);
    const field: IntField =
      fields.length > 0 ? fields[rng.int(fields.length)] : { offset: rng.int(Math.max(1, bytes.length - 8)), width: ([1, 2, 4, 8] as const)[rng.int(4)], name: 'random field' };
    if (field.offset + field.width > bytes.length) return { bytes, description: `no change (${field.name} outside the input)` };
    const old = readUint(bytes, field.offset, field.width);
    const value = boundaryValue(rng, old, field.width, bytes.length);
    writeUint(bytes, field.offset, field.width, value);
    return { bytes, description: `set ${field.name} (byte ${field.offset}, ${field.width} bytes) from ${old} to ${value}` };
  },
  function deleteSlice(input, rng) {
    const start = rng.int(input.length);
    const length = 1 + rng.int(Math.min(64, input.length - start));
    const bytes = new Uint8Array(input.length - length);
    bytes.set(input.subarray(0, start));
    bytes.set(input.subarray(start + length), start);
    return { bytes, description: `deleted ${length} bytes at ${start}` };
  },
  function duplicateSlice(input, rng) {
    const start = rng.int(input.length);
    const length = 1 + rng.int(Math.min(64, input.length - start));
    const at = rng.int(input.length + 1);
    const bytes = new Uint8Array(input.length + length);
    bytes.set(input.subarray(0, at));
    bytes.set(input.subarray(start, start + length), at);
    bytes.set(input.subarray(at), at + length);
    return { bytes, description: `copied ${length} bytes from ${start} to ${at}` };
  },
];

/**
 * One seeded mutation of `input` (never modified, a Buffer included: Buffer's slice is a view, so copies are
 * made with Uint8Array.from): flipped bits, overwritten bytes, a cut, a wrong number in
 * one of `fields` (sizes, counts, offsets: see zipHeaderFields) or at a random spot, a deleted or a
 * duplicated slice. The same rng state gives the same mutation, so a failing case is reproduced by its seed.
 */
export function mutate(input: Uint8Array, rng: SeededRandom, fields: readonly IntField[] = []): Mutation {
  if (input.length === 0) return { bytes: new Uint8Array(0), description: 'empty input' };
  return STRATEGIES[rng.int(STRATEGIES.length)](input, rng, fields);
}
