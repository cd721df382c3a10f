import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ImageIndex } from '../index/image-index.js';
import { ColourEmbedder } from '../testing/colour-embedder.js';
import { PAINTS, writeColourImage } from '../testing/colour-images.js';
import { temporaryFolder, WORKER } from '../testing/test-folders.test-support.js';
import { indexImages } from './index-images.js';

const CHILD = fileURLToPath(new URL('../testing/index-child.test-support.mjs', import.meta.url));
const tmp = temporaryFolder('clipkit-kill-');
const FILES = 48;

/**
 * Runs the indexing child and SIGKILLs it once it has committed `minCommitted` rows, `delayMs` after the
 * report that says so (0: at once). Resolves with how it ended and the rows it had reported committed.
 */
function runAndKill(root: string, db: string, minCommitted: number, delayMs: number): Promise<{ killed: boolean; committed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, root, db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let committed = 0;
    let stderr = '';
    const kill = () => child.kill('SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const message = JSON.parse(line) as { committed?: number };
        if (message.committed !== undefined) committed = message.committed;
        if (timer === undefined && committed >= minCommitted) timer = setTimeout(kill, delayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ killed: true, committed });
      else if (code === 0) resolve({ killed: false, committed });
      else reject(new Error(`the indexing child failed (${code}): ${stderr}`));
    });
  });
}

/** The index holds each path at most once, and each row's vector is its file's colour. */
async function expectConsistent(db: string, colourOf: Map<string, readonly number[]>): Promise<number> {
  let index: ImageIndex;
  try {
    index = await ImageIndex.open(db);
  } catch {
    return 0; // killed before the table was created
  }
  try {
    const records = await index.records();
    const paths = records.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const row of await index.rows(records.map((r) => r.id))) {
      const expected = ColourEmbedder.colourVector(colourOf.get(row.path)!);
      for (const [i, x] of row.vector.entries()) expect(Math.abs(x - expected[i])).toBeLessThan(1e-3);
    }
    return records.length;
  } finally {
    index.close();
  }
}

describe('indexImages killed with SIGKILL', () => {
  it('leaves no duplicate and, once re-run, no missing row, and the re-run embeds only what was not committed', async () => {
    const root = join(tmp.path, 'photos');
    const db = join(tmp.path, 'db');
    const paints = Object.values(PAINTS);
    const colourOf = new Map<string, readonly number[]>();
    for (let i = 0; i < FILES; i++) {
      const path = `folder-${i % 3}/image-${String(i).padStart(2, '0')}.png`;
      colourOf.set(path, paints[i % paints.length]);
      await writeColourImage(join(root, path), paints[i % paints.length], 24, 24);
    }

    // Kills right after a commit was reported, and at times after a report that fall anywhere in the 40 ms
    // of a batch: embedding, merging rows into the table, writing its files or its manifest.
    const kills: [minCommitted: number, delayMs: number][] = [
      [8, 0],
      [4, 5],
      [0, 23],
      [4, 31],
      [0, 47],
    ];
    let before = 0;
    for (const [minCommitted, delayMs] of kills) {
      const outcome = await runAndKill(root, db, minCommitted, delayMs);
      const rows = await expectConsistent(db, colourOf);
      expect(outcome.killed).toBe(true);
      expect(rows).toBeGreaterThanOrEqual(before + outcome.committed);
      expect(rows).toBeLessThanOrEqual(FILES);
      before = rows;
    }
    expect(before).toBeLessThan(FILES);

    const embedder = new ColourEmbedder();
    const report = await indexImages({ root, dbPath: db, embedder, progressBar: false, workerScript: WORKER });
    expect(report.rows).toBe(FILES);
    expect(report.unchanged + report.added).toBe(FILES);
    expect(report.unchanged).toBe(before);
    expect(report.removed + report.updated + report.touched).toBe(0);
    expect(await expectConsistent(db, colourOf)).toBe(FILES);
  }, 120_000);
});
