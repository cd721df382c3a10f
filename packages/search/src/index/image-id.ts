import { createHash } from 'node:crypto';

/** Hex digits of an image id: 96 bits, so 10^9 paths collide with probability ~6e-12 (birthday bound). */
const ID_LENGTH = 24;

export const IMAGE_ID_PATTERN = /^[0-9a-f]{24}$/;

/**
 * The row id of the file at `path` (relative, "/"-separated): the first 96 bits of sha256(path). Derived
 * from the path alone, so writing a file's row twice (a re-run after a kill) replaces it, and ids are
 * plain hex that can go into a URL or an SQL filter without escaping.
 */
export function imageId(path: string): string {
  return createHash('sha256').update(path, 'utf8').digest('hex').slice(0, ID_LENGTH);
}
