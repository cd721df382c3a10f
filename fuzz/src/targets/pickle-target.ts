import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTorchCheckpoint } from '@clipkit/checkpoints';
import { concatChunks, mutate, ZipArchive, type ZipRecord, zipChunks, zipHeaderFields } from '@clipkit/checkpoints/testing';
import type { SeededRandom } from '@clipkit/core';
import { check, type FuzzInput, type FuzzTarget, fileInput, SHARED } from '../fuzz-target.js';

const CHECKPOINTS = join(SHARED, 'fixtures/checkpoints');
const FILES = ['edge-cases/edge-cases.bin', 'malicious/storage-numel-mismatch.bin', 'malicious/evil-unknown-global.bin', 'open-clip-train/epoch_3.pt'];

async function readAll(path: string): Promise<void> {
  const checkpoint = await openTorchCheckpoint(path);
  try {
    for (const [name, entry] of checkpoint.entries) {
      const tensor = await checkpoint.read(name);
      check(tensor.data.length === entry.shape.reduce((n, d) => n * d, 1), `${name}: ${tensor.data.length} values for shape [${entry.shape}]`);
    }
  } finally {
    await checkpoint.close();
  }
}

/** The zip records of a torch file, to write back with one of them mutated. */
async function records(path: string): Promise<ZipRecord[]> {
  const archive = await ZipArchive.open(path);
  const out: ZipRecord[] = [];
  for (const entry of archive.entries.values()) out.push({ name: entry.name, data: await archive.readEntry(entry, 1 << 26) });
  await archive.close();
  return out;
}

/** The PyTorch checkpoint reader (zip archive and pickle VM): whole-file mutations and mutated data.pkl re-archived with valid CRCs. */
export const pickleTarget: FuzzTarget = {
  name: 'pickle',
  description: 'openTorchCheckpoint and read of every tensor: zip header and byte mutations, and data.pkl mutated inside a valid archive',
  async prepare() {
    const seeds = await Promise.all(
      FILES.map(async (file) => {
        const bytes = new Uint8Array(readFileSync(join(CHECKPOINTS, file)));
        return { file, bytes, fields: zipHeaderFields(bytes), records: await records(join(CHECKPOINTS, file)) };
      }),
    );
    const path = join(mkdtempSync(join(tmpdir(), 'clipkit-fuzz-pickle-')), 'case.bin');
    return (random: SeededRandom): FuzzInput => {
      const seed = seeds[random.int(seeds.length)];
      let bytes: Uint8Array;
      let description: string;
      const pickle = seed.records.find((r) => r.name.endsWith('data.pkl'));
      if (pickle && random.int(2) === 0) {
        const mutated = mutate(pickle.data, random);
        bytes = concatChunks(zipChunks(seed.records.map((r) => (r === pickle ? { name: r.name, data: mutated.bytes } : r))));
        description = `${seed.file} data.pkl: ${mutated.description}`;
      } else {
        ({ bytes, description } = mutate(seed.bytes, random, seed.fields));
        description = `${seed.file}: ${description}`;
      }
      return fileInput(path, bytes, description, readAll);
    };
  },
};
