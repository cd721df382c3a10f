import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ClipkitError } from '@clipkit/core';

function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return !(inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside));
}

/** The real path of `path` (symbolic links resolved), or undefined when it does not exist (the loader then skips it). */
function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The absolute path of `path` (relative to `root`, or absolute) after checking that it stays inside `root`:
 * a table must not make clipkit read files elsewhere ("../../etc/passwd", "/home/me/.ssh/id_rsa"), neither
 * by its name nor through a symbolic link inside the folder ("imgs/outlink/secret.jpg" with
 * outlink -> /elsewhere, issue 16), so an existing file's real path must be inside the folder's real path.
 * `where` names the row in the error.
 */
export function resolveInside(root: string, path: string, where: string): string {
  const absolute = resolve(root, path);
  if (!isInside(root, absolute)) {
    throw new ClipkitError(`${where}: image path ${JSON.stringify(path)} is outside the data folder ${root} (data.path); image paths must name files inside it`);
  }
  const real = realPath(absolute);
  if (real !== undefined && !isInside(realPath(root) ?? root, real)) {
    throw new ClipkitError(
      `${where}: image path ${JSON.stringify(path)} leads outside the data folder ${root} (data.path) through a symbolic link, to ${real}; copy the file into the folder instead`,
    );
  }
  return absolute;
}
