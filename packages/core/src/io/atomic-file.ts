import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `path` through a temporary file in the same directory, flushed and then renamed over the
 * target, so a crash leaves either the old file or the new one, never half of one.
 */
export async function writeFileAtomic(path: string, write: (file: FileHandle) => Promise<void>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temp, 'wx');
  try {
    await write(file);
    await file.sync();
    await file.close();
    await rename(temp, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes a whole text or byte payload atomically. */
export async function writeContentAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await writeFileAtomic(path, async (file) => {
    await file.writeFile(content);
  });
}
