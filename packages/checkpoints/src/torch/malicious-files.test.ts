import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, UnsafePickleError } from '../checkpoint-error.js';
import { CHECKPOINTS } from '../checkpoint-fixtures.test-support.js';
import { openTorchCheckpoint } from './torch-checkpoint.js';

// fixtures/checkpoints/malicious: every file must be refused, and the marker file that the payload would create in
// the current working directory if anything ran must never appear. The reader runs with a fresh empty cwd.
const MALICIOUS = `${CHECKPOINTS}/malicious`;

interface Expectation {
  must_reject: boolean;
  first_disallowed_global: { global: string; offset: number } | null;
  marker_must_not_exist: string | null;
}

const expected = JSON.parse(readFileSync(`${MALICIOUS}/expected.json`, 'utf8')) as Record<string, Expectation>;

/** What clipkit's error must say for each file (the READMEs' account of what is wrong in it). */
const MESSAGES: Record<string, RegExp> = {
  'evil-builtins-eval.bin': /global builtins\.eval is not allowed/,
  'evil-system.bin': /global os\.system is not allowed/,
  'evil-unknown-global.bin': /global argparse\.Namespace is not allowed/,
  'not-a-zip.bin': /not a valid zip archive: no end-of-central-directory record/,
  'storage-numel-mismatch.bin': /storage 0: 1024 x torch\.FloatStorage needs 4096 bytes but its record storage-numel-mismatch\/data\/0 holds 16/,
  'storage-out-of-range.bin': /tensor \(8,\)\/\(1,\)\+2 needs elements 2\.\.9 of storage 0, which holds 4/,
  'truncated.bin': /no end-of-central-directory record \(the file is truncated, or not a zip\)/,
};

const originalCwd = process.cwd();
const cwd = mkdtempSync(join(tmpdir(), 'clipkit-malicious-cwd-'));

beforeAll(() => process.chdir(cwd));
afterAll(() => process.chdir(originalCwd));

describe('fixtures/checkpoints/malicious', () => {
  it('covers every file of the folder', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(MESSAGES).sort());
  });

  it.each(Object.entries(expected))('%s is refused and nothing runs', async (file, expectation) => {
    expect(expectation.must_reject).toBe(true);
    const path = `${MALICIOUS}/${file}`;
    let error: unknown;
    try {
      const checkpoint = await openTorchCheckpoint(path);
      await checkpoint.close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(MESSAGES[file]);
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
    if (expectation.first_disallowed_global) {
      // Refused at the GLOBAL opcode the fixture names, so the REDUCE after it is never reached.
      const { global, offset } = expectation.first_disallowed_global;
      expect(error).toBeInstanceOf(UnsafePickleError);
      expect(error).toMatchObject({ global: global.replace(' ', '.'), offset });
    }
    for (const dir of [cwd, originalCwd]) {
      if (expectation.marker_must_not_exist) expect(existsSync(join(dir, expectation.marker_must_not_exist))).toBe(false);
    }
  });
});
