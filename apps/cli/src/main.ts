import { CommanderError } from 'commander';
import { createProgram } from './program.js';

/**
 * Whether an error is a ClipkitError (a user mistake: bad config, missing file), told by the class names of
 * its prototype chain: main.ts does not import @clipkit/core, which would load it for --help too, and a
 * plug-in package's own copy of core throws errors of another class object with the same name.
 */
function isClipkitError(error: unknown): error is Error {
  for (let proto = Object.getPrototypeOf(error ?? {}); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'ClipkitError') return true;
  }
  return false;
}

/**
 * A failure of the environment rather than of clipkit (a full disk, a read-only or missing folder, no
 * permission), told by Node's system error code; the writers wrap the ones they expect with the file named.
 */
const SYSTEM_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY', 'EMFILE', 'ENFILE', 'EIO']);
const isSystemError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && SYSTEM_ERRORS.has((error as NodeJS.ErrnoException).code!);

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message; --help and --version end here too, with code 0.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (isClipkitError(error) || isSystemError(error)) {
    // A user mistake or a failing environment is one clear line; anything else is a bug and keeps its stack.
    console.error(
      `clipkit: ${error.message
        .split('\n')
        .map((line) => line.trim())
        .join(' ')}`,
    );
    process.exitCode = 1;
  } else {
    throw error;
  }
}
