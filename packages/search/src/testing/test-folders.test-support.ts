import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** The preparation worker runs compiled JavaScript: the package's dist (nx builds the package before its tests). */
export const WORKER = new URL('../../dist/pipeline/prepare-images-worker.js', import.meta.url);

/** A fresh temporary folder per test, removed afterwards: `folder.path`. */
export function temporaryFolder(prefix: string): { path: string } {
  const folder = { path: '' };
  beforeEach(async () => {
    folder.path = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(folder.path, { recursive: true, force: true });
  });
  return folder;
}
