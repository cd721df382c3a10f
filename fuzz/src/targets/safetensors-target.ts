import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutate } from '@clipkit/checkpoints/testing';
import { SafetensorsFile, type SeededRandom } from '@clipkit/core';
import { check, type FuzzInput, type FuzzTarget, fileInput, SHARED } from '../fuzz-target.js';
import { type Json, mutateJson } from '../mutate-json.js';

const SEEDS = ['checkpoints/f16/inputs.safetensors', 'checkpoints/openai-jit-rn/outputs.safetensors', 'losses/case4_b33_d64.safetensors'];

/** A safetensors file with its header replaced (the 8-byte length rewritten to match). */
function withHeader(file: Uint8Array, header: Json): Uint8Array {
  const oldLength = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + file.length - 8 - oldLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(file.subarray(8 + oldLength), 8 + text.length);
  return out;
}

async function readAll(path: string): Promise<void> {
  const file = await SafetensorsFile.open(path);
  try {
    for (const [name, entry] of file.entries) {
      const tensor = await file.read(name);
      const count = entry.shape.reduce((n, d) => n * d, 1);
      check(tensor.data.length === count, `${name}: ${tensor.data.length} values for shape [${entry.shape}]`);
    }
  } finally {
    await file.close();
  }
}

/** The safetensors reader (SafetensorsFile): mutated bytes, and headers with odd dtypes, shapes and offsets. */
export const safetensorsTarget: FuzzTarget = {
  name: 'safetensors',
  description: 'SafetensorsFile.open and read of every tensor: byte mutations and mutated JSON headers',
  async prepare() {
    const seeds = SEEDS.map((file) => new Uint8Array(readFileSync(join(SHARED, 'fixtures', file))));
    const path = join(mkdtempSync(join(tmpdir(), 'clipkit-fuzz-safetensors-')), 'case.safetensors');
    return (random: SeededRandom): FuzzInput => {
      const seed = seeds[random.int(seeds.length)];
      let bytes: Uint8Array;
      let description: string;
      if (random.int(2) === 0) {
        ({ bytes, description } = mutate(seed, random, [{ offset: 0, width: 8, name: 'header length' }]));
      } else {
        const length = Number(new DataView(seed.buffer, seed.byteOffset).getBigUint64(0, true));
        const header = JSON.parse(new TextDecoder().decode(seed.subarray(8, 8 + length))) as Json;
        const mutated = mutateJson(header, random);
        bytes = withHeader(seed, mutated.value);
        description = `header: ${mutated.description}`;
      }
      return fileInput(path, bytes, description, readAll);
    };
  },
};
