import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ClipkitError, writeError } from '@clipkit/core';

/** `path` with symbolic links resolved as far as it exists (a folder not yet made keeps its own name). */
function realPath(path: string): string {
  const absolute = resolve(path);
  return existsSync(absolute) ? realpathSync(absolute) : join(realPath(dirname(absolute)), basename(absolute));
}

const isInside = (folder: string, path: string) => {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep));
};

/**
 * Throws unless `out` may receive a new folder: it is new, or an empty folder, or (with `force`) a folder whose
 * contents may be replaced. Checked before any work, so a refused command costs nothing.
 */
export function checkOutFolder(out: string, force: boolean): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new ClipkitError(`--out ${out} is a file; give a folder to write`);
  if (!force && readdirSync(out).length > 0) throw new ClipkitError(`--out ${out} is not empty: give a new or empty folder, or pass --force to replace its contents`);
}

/** Throws when writing `out` would write over `source` (the same folder, or one holding it). */
export function checkNotSource(out: string, source: string): void {
  if (isInside(realPath(out), realPath(source))) throw new ClipkitError(`--out ${out} holds the model being read (${source}); write to another folder`);
}

/**
 * Writes a folder through a staging folder beside it (same file system), renamed into place once `write` is
 * done: a crash or error leaves `out` as it was, never half-written, and no staging folder (a full disk or a
 * read-only folder fail with one line naming `out`). An existing `out` is moved aside, replaced, then removed.
 */
export async function writeFolderStaged(out: string, write: (staging: string) => Promise<void>): Promise<void> {
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = join(dirname(out), `.${basename(out)}.staging-${tag}`);
  const previous = join(dirname(out), `.${basename(out)}.previous-${tag}`);
  try {
    await write(staging);
    if (existsSync(out)) await rename(out, previous);
    try {
      await rename(staging, out);
    } catch (error) {
      if (existsSync(previous)) await rename(previous, out);
      throw error;
    }
    await rm(previous, { recursive: true, force: true });
  } catch (error) {
    // Said of `out`: the staging folder a message would name is gone.
    if (error instanceof ClipkitError) error.message = error.message.split(staging).join(out);
    throw writeError(out, error);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
