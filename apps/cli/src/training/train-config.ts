import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyClipPlugin, type ClipConfig, ClipkitError, findCheckpoint, LAYOUT_CONFIG_FILES, readClipConfig } from '@clipkit/core';
import { configFilePlugins } from '../plugins/pipeline-plugins.js';

/** The config `clipkit train` uses without --config: a small ViT with CLIP's loss on generated shapes. */
const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../configs/shapes-vit-clip.json', import.meta.url));

interface TrainSetup {
  config: ClipConfig;
  /** clipkit's plug-ins and those of the packages the config names. */
  plugins: AnyClipPlugin[];
  /** A short name for logs, plots and the default run folder. */
  name: string;
}

/** The config of a `train` invocation: --config, else the resumed run's own, else the built-in default; --data sets data.path. */
export async function trainSetup(options: { config?: string; resume?: boolean; out?: string; data?: string }): Promise<TrainSetup> {
  const checkpoint = options.resume && options.out && !options.config ? findCheckpoint(options.out) : undefined;
  const file = checkpoint ? join(checkpoint, LAYOUT_CONFIG_FILES.clipkit) : (options.config ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) throw new ClipkitError(`config file ${file} does not exist`);
  const plugins = await configFilePlugins(file);
  let config = readClipConfig(file, plugins);
  if (options.data !== undefined) {
    if (config.data.type === 'synthetic-shapes') throw new ClipkitError('--data gives a data folder, but data.type "synthetic-shapes" is generated and has none');
    config = { ...config, data: { ...config.data, path: options.data } };
  }
  return { config, plugins, name: basename(checkpoint ?? file, extname(checkpoint ?? file)) };
}
