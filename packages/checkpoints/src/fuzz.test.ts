import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError, SeededRandom } from '@clipkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKPOINTS } from './checkpoint-fixtures.test-support.js';
import { mutate } from './testing/mutate.js';
import { zipHeaderFields } from './testing/zip-header-fields.js';
import { concatChunks, type ZipRecord, zipChunks } from './testing/zip-writer.js';
import { openTorchCheckpoint } from './torch/torch-checkpoint.js';
import { ZipArchive } from './zip/zip-archive.js';

// Seeded mutations of valid files: each must be refused with a ClipkitError or read in full (every tensor the
// right length); nothing else may be thrown, and no case may take longer than CASE_BOUND_MS (a hang guard,
// not a speed check: cases take a few ms). A failure names the seed and the mutation to reproduce it.
const CASES = 1000;
const CASE_BOUND_MS = 5000;
const dir = mkdtempSync(join(tmpdir(), 'clipkit-fuzz-'));
const summary: string[] = [];

afterAll(() => console.log(`checkpoint fuzzing:\n${summary.join('\n')}`));

type Outcome = 'read' | 'refused';

async function attempt(bytes: Uint8Array): Promise<Outcome> {
  const path = join(dir, 'mutated.bin');
  writeFileSync(path, bytes);
  try {
    const checkpoint = await openTorchCheckpoint(path);
    try {
      for (const [name, entry] of checkpoint.entries) {
        const tensor = await checkpoint.read(name);
        if (tensor.data.length !== entry.shape.reduce((n, d) => n * d, 1)) throw new Error(`${name}: ${tensor.data.length} values for shape ${entry.shape}`);
      }
    } finally {
      await checkpoint.close();
    }
    return 'read';
  } catch (error) {
    if (error instanceof ClipkitError) return 'refused';
    throw error;
  }
}

async function fuzz(label: string, mutated: (rng: SeededRandom) => { bytes: Uint8Array; description: string }): Promise<void> {
  const counts: Record<Outcome, number> = { read: 0, refused: 0 };
  let slowest = 0;
  for (let seed = 0; seed < CASES; seed++) {
    const { bytes, description } = mutated(new SeededRandom(seed));
    const start = performance.now();
    let outcome: Outcome;
    try {
      outcome = await attempt(bytes);
    } catch (error) {
      throw new Error(`${label}, seed ${seed} (${description}): threw a non-ClipkitError: ${(error as Error).stack}`);
    }
    const ms = performance.now() - start;
    expect(ms, `${label}, seed ${seed} (${description})`).toBeLessThan(CASE_BOUND_MS);
    slowest = Math.max(slowest, ms);
    counts[outcome]++;
  }
  summary.push(`  ${label}: ${CASES} cases, ${counts.refused} refused, ${counts.read} read in full; slowest ${slowest.toFixed(1)} ms`);
  expect(counts.refused + counts.read).toBe(CASES);
}

describe(`${CASES} seeded mutations each`, () => {
  it('edge-cases.bin: flipped bits, cut lengths, wrong sizes and offsets in zip headers, moved slices', async () => {
    const original = new Uint8Array(readFileSync(`${CHECKPOINTS}/edge-cases/edge-cases.bin`));
    const fields = zipHeaderFields(original);
    expect(fields.length).toBeGreaterThan(319 * 8); // every record's central and local header fields
    await fuzz('edge-cases.bin (whole file)', (rng) => mutate(original, rng, fields));
  });

  it('edge-cases.bin data.pkl mutated and re-archived with a valid CRC, so the pickle VM sees every mutation', async () => {
    const archive = await ZipArchive.open(`${CHECKPOINTS}/edge-cases/edge-cases.bin`);
    const records: ZipRecord[] = [];
    for (const entry of archive.entries.values()) records.push({ name: entry.name, data: await archive.readEntry(entry, 1 << 24) });
    await archive.close();
    const pickle = records.find((r) => r.name.endsWith('/data.pkl'))!;
    await fuzz('edge-cases/data.pkl (pickle)', (rng) => {
      const { bytes, description } = mutate(pickle.data, rng);
      return { bytes: concatChunks(zipChunks(records.map((r) => (r === pickle ? { name: r.name, data: bytes } : r)))), description };
    });
  });

  it('openai-jit-vit/model.pt: a TorchScript archive with deflated code/ records', async () => {
    const original = new Uint8Array(readFileSync(`${CHECKPOINTS}/openai-jit-vit/model.pt`));
    await fuzz('openai-jit-vit/model.pt (whole file)', (rng) => mutate(original, rng, zipHeaderFields(original)));
  });
});
