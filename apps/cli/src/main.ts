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

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  // A user mistake is one clear line; anything else is a bug and keeps its stack.
  if (!isClipkitError(error)) throw error;
  console.error(`clipkit: ${error.message}`);
  process.exitCode = 1;
}
