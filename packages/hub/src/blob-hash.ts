import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/**
 * The hash of a blob's content in the form its ETag takes, or undefined when the ETag is not a hash we know.
 * The hub's ETag is "its git-sha1 if stored in git, or its sha256 if stored in git-lfs" (hf_hub_url's
 * docstring): a 64-hex ETag is the file's sha256, a 40-hex one the git blob id, sha1("blob <size>\0" + bytes).
 */
export async function blobHash(path: string, etag: string): Promise<string | undefined> {
  if (/^[0-9a-f]{64}$/.test(etag)) return hashFile(path, 'sha256');
  if (/^[0-9a-f]{40}$/.test(etag)) return hashFile(path, 'sha1', `blob ${(await stat(path)).size}\0`);
  return undefined;
}

async function hashFile(path: string, algorithm: 'sha1' | 'sha256', header = ''): Promise<string> {
  const hash = createHash(algorithm).update(header);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
