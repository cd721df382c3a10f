import { type Dirent, readdirSync, realpathSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

/** The extensions of the formats decodeImage reads, lower case. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpeg', '.jpg', '.png', '.webp'];

/** An entry left out of a folder walk, and why. */
export interface SkippedImage {
  readonly path: string;
  readonly reason: string;
}

/** The image files found under a folder, and the entries named like images that are not readable files. */
export interface FoundImages {
  /** Joined onto the root as given, sorted. */
  readonly files: string[];
  /** In walk order. */
  readonly skipped: SkippedImage[];
}

function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(error);
}

/**
 * The image files under `root`, at any depth, sorted by path. Symbolic links are followed, to files and to
 * folders, but each folder is entered once by its real path, so a link back up the tree (`loop -> .`,
 * `up -> ..`) or a second link to one folder adds nothing (issue 16: they listed one image 41 times, or
 * recursed until a RangeError). An entry named like an image that is not a file (a folder "x.png", a broken
 * link) or a folder that cannot be listed is reported in `skipped` instead of failing the walk.
 */
export function findImages(root: string): FoundImages {
  const files: string[] = [];
  const skipped: SkippedImage[] = [];
  const visited = new Set<string>([realpathSync(root)]);
  const pending: string[] = [root];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      skipped.push({ path: folder, reason: `cannot list the folder (${reasonOf(error)})` });
      continue;
    }
    // Name order, and folders taken from the stack in that order: the walk, and so which of two links to one
    // folder is kept, is the same on every run.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subfolders: string[] = [];
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isFile()) {
        if (isImageName(entry.name)) files.push(path);
        continue;
      }
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue; // sockets, FIFOs, devices
      let isDirectory: boolean;
      try {
        isDirectory = statSync(path).isDirectory(); // follows links
      } catch (error) {
        if (isImageName(entry.name)) skipped.push({ path, reason: `broken symbolic link (${reasonOf(error)})` });
        continue;
      }
      if (isDirectory) {
        if (isImageName(entry.name)) skipped.push({ path, reason: 'a folder, not an image file (its images are still listed)' });
        const real = realpathSync(path);
        if (!visited.has(real)) {
          visited.add(real);
          subfolders.push(path);
        }
      } else if (isImageName(entry.name)) {
        files.push(path);
      }
    }
    pending.push(...subfolders.reverse());
  }
  return { files: files.sort(), skipped };
}
