import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * The team's shared reference material (fixtures/, recipes/): $CLIPKIT_SHARED, else the `shared` folder
 * beside the repository, else /work/shared. Tests read it as process.env.CLIPKIT_SHARED.
 */
function sharedDir(): string {
  const candidates = [process.env.CLIPKIT_SHARED, resolve(root, '../shared'), '/work/shared'];
  const found = candidates.find((dir) => dir !== undefined && existsSync(resolve(dir, 'fixtures/README.md')));
  if (!found) throw new Error(`reference fixtures not found in ${candidates.filter(Boolean).join(', ')}: set CLIPKIT_SHARED to the folder holding fixtures/ and recipes/`);
  return found;
}

/** The vitest config of every workspace: tests beside the code (or in test/), with the shared fixtures located once. */
export function clipkitVitestConfig(include: string[], testTimeout = 60_000) {
  return defineConfig({
    test: { include, exclude: ['**/node_modules/**', '**/dist/**'], testTimeout, env: { CLIPKIT_SHARED: sharedDir() } },
  });
}
