import type { FileHandle } from 'node:fs/promises';

/**
 * `length` bytes at `position` in a fresh, exactly sized buffer (so typed-array views of it are aligned).
 * Returns null when the file ends first: callers turn that into an error naming the file.
 */
export async function readExactly(file: FileHandle, length: number, position: number): Promise<Uint8Array | null> {
  const bytes = new Uint8Array(new ArrayBuffer(length));
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) return null;
    done += bytesRead;
  }
  return bytes;
}
