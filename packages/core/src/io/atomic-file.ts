import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeError } from './write-error.js';

/**
 * Writes `path` through a temporary file in the same directory, flushed and then renamed over the
 * target, so a crash leaves either the old file or the new one, never half of one. A full disk, a read-only
 * file system and the like fail with a one-line ClipkitError naming `path` (see writeError), the temporary file removed.
 */
export async function writeFileAtomic(path: string, write: (file: FileHandle) => Promise<void>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let file: FileHandle;
  try {
    file = await open(temp, 'wx');
  } catch (error) {
    throw writeError(path, error);
  }
  try {
    await write(file);
    await file.sync();
    await file.close();
    await rename(temp, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw writeError(path, error);
  }
}

/** Writes a whole text or byte payload atomically. */
export async function writeContentAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await writeFileAtomic(path, async (file) => {
    await file.writeFile(content);
  });
}
