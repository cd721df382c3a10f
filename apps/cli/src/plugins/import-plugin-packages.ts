import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AnyClipPlugin, ClipkitError } from '@clipkit/core';

/** npm package names, scoped or not (the rule of @clipkit/core's config schema): never a path. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** The file a package name resolves to from `dir`, as `require` would find it there; undefined when it is not installed there. */
function resolveFrom(dir: string, name: string): string | undefined {
  try {
    return createRequire(join(resolve(dir), 'package.json')).resolve(name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw new ClipkitError(`plug-in package "${name}" cannot be resolved from ${dir}: ${(error as Error).message}`);
  }
}

/** One package's `plugins` export, checked to be a list of plug-in objects. */
async function importPluginPackage(name: string, fromDir: string): Promise<AnyClipPlugin[]> {
  if (!PACKAGE_NAME.test(name)) throw new ClipkitError(`"${name}" is not an npm package name: "plugins" names installed packages, never paths`);
  const dirs = [...new Set([resolve(fromDir), process.cwd()])];
  const file = dirs.map((dir) => resolveFrom(dir, name)).find((found) => found !== undefined);
  if (file === undefined) {
    throw new ClipkitError(`plug-in package "${name}" is not installed (looked in ${dirs.join(' and ')}): install it beside the config, e.g. npm install ${name}`);
  }
  const module = (await import(pathToFileURL(file).href)) as { plugins?: unknown };
  const { plugins } = module;
  const isPlugin = (p: unknown) => typeof p === 'object' && p !== null && 'slot' in p && 'type' in p && typeof (p as { create?: unknown }).create === 'function';
  if (!Array.isArray(plugins) || !plugins.every(isPlugin)) {
    throw new ClipkitError(`plug-in package "${name}" (${file}) has no \`plugins\` export listing its plug-ins: add \`export const plugins = [...]\` to its entry point`);
  }
  return plugins;
}

/**
 * Imports the npm packages a config names in its `plugins` and returns their plug-ins, in order. Each package
 * is resolved from `fromDir` (the config file's folder), else from the working directory, and must export
 * `plugins`, a list of plug-in objects. A package that is not installed or exports no such list is a
 * ClipkitError saying what to install or export.
 */
export async function importPluginPackages(names: readonly string[], fromDir: string): Promise<AnyClipPlugin[]> {
  const plugins: AnyClipPlugin[] = [];
  for (const name of names) plugins.push(...(await importPluginPackage(name, fromDir)));
  return plugins;
}
