import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type AnyClipPlugin, LAYOUT_CONFIG_FILES, readConfigPluginNames } from '@clipkit/core';
import { defaultPlugins } from './default-plugins.js';
import { importPluginPackages } from './import-plugin-packages.js';

/** clipkit's plug-ins and those of the named packages, each once (a config may name a package clipkit ships). */
export async function pipelinePlugins(names: readonly string[], fromDir: string): Promise<AnyClipPlugin[]> {
  return [...new Set([...(await defaultPlugins()), ...(await importPluginPackages(names, fromDir))])];
}

/** The plug-ins a config file needs: clipkit's and those of the packages its `plugins` names, resolved from its folder. */
export async function configFilePlugins(file: string): Promise<AnyClipPlugin[]> {
  return pipelinePlugins(readConfigPluginNames(file), dirname(file));
}

/**
 * The plug-ins a model directory needs: a folder clipkit wrote keeps the config's `plugins` in its
 * clipkit.json, so a model with a third-party tower loads with the package that trained it.
 */
export async function modelDirectoryPlugins(dir: string): Promise<AnyClipPlugin[]> {
  const file = join(dir, LAYOUT_CONFIG_FILES.clipkit);
  return existsSync(file) ? configFilePlugins(file) : defaultPlugins();
}
