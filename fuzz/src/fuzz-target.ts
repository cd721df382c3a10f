import { writeFileSync } from 'node:fs';
import { ClipkitError, type SeededRandom } from '@clipkit/core';

/** "accepted": read in full and the result checked; "refused": a ClipkitError. */
export type Outcome = 'accepted' | 'refused';

/** One fuzz input: described (so a failure's report says what it was) before the code under test runs on it. */
export interface FuzzInput {
  readonly description: string;
  /** Characters or bytes of the input, for the time-per-length figure. */
  readonly length: number;
  /** Runs the code under test; anything thrown that is not a ClipkitError is a finding. */
  run(): Promise<Outcome>;
}

/** A prepared target: makes one input from its own random stream. */
type FuzzCase = (random: SeededRandom) => FuzzInput;

export interface FuzzTarget {
  readonly name: string;
  readonly description: string;
  /** Reads or makes the seed inputs once per run. */
  prepare(): Promise<FuzzCase>;
}

/** Fixtures shared by the project (CLIPKIT_SHARED, as the tests read them). */
export const SHARED = process.env.CLIPKIT_SHARED ?? '/work/shared';

/** Throws when a result that was accepted is wrong: a finding as much as a crash. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`wrong result: ${message}`);
}

/** "accepted" when `use` completes, "refused" when it throws a ClipkitError; anything else is rethrown. */
export async function outcomeOf(use: () => unknown): Promise<Outcome> {
  try {
    await use();
    return 'accepted';
  } catch (error) {
    if (error instanceof ClipkitError) return 'refused';
    throw error;
  }
}

/** An input for a file reader: `bytes` are written to `path`, then `read(path)` runs on them. */
export function fileInput(path: string, bytes: Uint8Array, description: string, read: (path: string) => unknown): FuzzInput {
  return {
    description,
    length: bytes.length,
    run: () => {
      writeFileSync(path, bytes);
      return outcomeOf(() => read(path));
    },
  };
}
