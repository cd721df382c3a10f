import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** The extensions of the formats @clipkit/images decodes (decodeImage: PNG, JPEG, WebP), lower case. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpeg', '.jpg', '.png', '.webp'];

/** An image file found under the root. */
export interface ScannedFile {
  /** Relative to the root, "/"-separated (the path the index stores). */
  readonly path: string;
  readonly absolute: string;
  readonly size: number;
  readonly mtime: number;
}

/** A file or folder that was left out, and why. */
export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

export interface ScanResult {
  /** Sorted by path. */
  readonly files: ScannedFile[];
  readonly skipped: SkippedFile[];
}

function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(error);
}

/**
 * The image files under `root` (a real path), recursively. Symbolic links are followed, to files and to
 * folders, but every folder is entered once by its real path, so a link back up the tree (a loop) or a
 * second link to the same folder adds nothing. Entries that cannot be read are listed in `skipped`.
 */
export async function scanImages(root: string): Promise<ScanResult> {
  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  const visited = new Set<string>([await realpath(root)]);
  const pending: string[] = ['']; // relative folder paths
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(join(root, folder), { withFileTypes: true });
    } catch (error) {
      skipped.push({ path: folder || '.', reason: `cannot list the folder (${reasonOf(error)})` });
      continue;
    }
    // Name order, and folders taken from the stack in that order: the walk, and so which of two links to one
    // folder is kept, is the same on every run.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subfolders: string[] = [];
    for (const entry of entries) {
      const path = folder ? `${folder}/${entry.name}` : entry.name;
      const absolute = join(root, ...path.split('/'));
      const isLink = entry.isSymbolicLink();
      if (!isLink && !entry.isDirectory() && !entry.isFile()) continue; // sockets, FIFOs, devices
      if (!isLink && entry.isFile() && !IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) continue;
      let stats: Awaited<ReturnType<typeof stat>>;
      try {
        stats = await stat(absolute); // follows links
      } catch (error) {
        // A dangling link is reported when its name says it was an image (a folder link cannot say).
        if (IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) skipped.push({ path, reason: `${isLink ? 'broken symbolic link: ' : ''}${reasonOf(error)}` });
        continue;
      }
      if (stats.isDirectory()) {
        const real = await realpath(absolute);
        if (visited.has(real)) continue;
        visited.add(real);
        subfolders.push(path);
      } else if (stats.isFile() && IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) {
        files.push({ path, absolute, size: stats.size, mtime: stats.mtimeMs });
      }
    }
    pending.push(...subfolders.reverse());
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}
