import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ClipkitError } from '@clipkit/core';

/**
 * The absolute path of `path` (relative to `root`, or absolute) after checking that it stays inside `root`:
 * a table must not make clipkit read files elsewhere ("../../etc/passwd", "/home/me/.ssh/id_rsa").
 * `where` names the row in the error.
 */
export function resolveInside(root: string, path: string, where: string): string {
  const absolute = resolve(root, path);
  const inside = relative(root, absolute);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new ClipkitError(`${where}: image path ${JSON.stringify(path)} is outside the data folder ${root} (data.path); image paths must name files inside it`);
  }
  return absolute;
}
