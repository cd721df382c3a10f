import { ClipkitError } from '@clipkit/core';
import { createProgram } from './program.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  // A user mistake (bad config, missing file) is one clear line; anything else is a bug and keeps its stack.
  if (error instanceof ClipkitError) {
    console.error(`clipkit: ${error.message}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
