import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ClipkitError } from '../errors.js';

/** What a failed write's system error code means for the user, and what to do. */
const REASONS: Readonly<Record<string, (path: string) => string>> = {
  ENOSPC: () => 'the disk is full (ENOSPC); free some space or write to another disk',
  EDQUOT: () => 'the disk quota is used up (EDQUOT); free some space or write to another disk',
  EROFS: () => 'the file system is read-only (EROFS); write to another folder',
  EACCES: (path) => `permission denied (EACCES); make ${dirname(path)} writable or write to another folder`,
  EPERM: (path) => `permission denied (EPERM); make ${dirname(path)} writable or write to another folder`,
  ENOTDIR: () => 'a part of the path is a file, not a folder (ENOTDIR); give a path inside a folder',
  EISDIR: () => 'it is a folder (EISDIR); give a file name',
  // From mkdir: a file stands where a folder is wanted.
  EEXIST: () => 'a file stands where a folder is wanted (EEXIST); give another path',
  ENOENT: (path) => `its folder ${dirname(path)} does not exist (ENOENT)`,
};

/**
 * A failed write of `path` as one clear line (a ClipkitError) when the system error says the environment is at
 * fault (full disk, read-only file system, permissions, a file where a folder is wanted); any other error as it is.
 */
export function writeError(path: string, error: unknown): unknown {
  let code = (error as NodeJS.ErrnoException | undefined)?.code;
  // mkdir({ recursive: true }) says ENOENT when it cannot create a folder in one that exists (read-only, say):
  // asking the nearest folder that exists whether it is writable finds the reason.
  if (code === 'ENOENT') {
    let folder = dirname(path);
    while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
    try {
      accessSync(folder, constants.W_OK);
    } catch (probe) {
      code = (probe as NodeJS.ErrnoException).code;
    }
  }
  const reason = code === undefined ? undefined : REASONS[code];
  return reason ? new ClipkitError(`cannot write ${path}: ${reason(path)}`, { cause: error }) : error;
}
