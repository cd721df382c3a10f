import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ClipkitError } from '../errors.js';
import { isProcessAlive } from '../io/is-process-alive.js';
import { writeError } from '../io/write-error.js';

/** The lock file of a run directory: the pid of the process training in it. */
export const RUN_LOCK_FILE = 'run.lock';

/** The run folder is being trained in by another live process. */
export class RunLockedError extends ClipkitError {}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the lock file only if it does not exist (O_EXCL), with this process's pid; false when it exists. */
function create(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeError(path, error);
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } catch (error) {
    rmSync(path, { force: true });
    throw writeError(path, error);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Locks a run directory for this process, so two runs (two `train --resume`) never write one folder at once;
 * returns the function that releases it. A lock whose process has died (killed, machine restarted) is taken
 * over. Two processes taking over one stale lock at the same moment are told apart by reading the file back.
 */
export function lockRunDir(runDir: string): () => void {
  const path = join(runDir, RUN_LOCK_FILE);
  if (!create(path)) {
    const holder = readPid(path);
    if (holder !== undefined && holder !== process.pid && isProcessAlive(holder)) {
      throw new RunLockedError(
        `${runDir} is in use by another training run (process ${holder}, see ${path}); wait for it to end, or stop it ` +
          `(if process ${holder} is not clipkit, the run that locked the folder crashed and its number was reused: remove ${path})`,
      );
    }
    if (holder === process.pid) throw new ClipkitError(`${runDir} is already being trained by this process`);
    // Stale (its process is gone) or empty (its writer died between creating and writing it).
    rmSync(path, { force: true });
    if (!create(path) || readPid(path) !== process.pid) {
      throw new ClipkitError(`${runDir} was locked by another process while this one took over its stale lock; try again`);
    }
  }
  return () => {
    if (readPid(path) === process.pid) rmSync(path, { force: true });
  };
}
