import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClipConfig, ClipkitError, findCheckpoint, parseClipConfig, readCheckpointConfig, readClipConfig } from '@clipkit/core';

/** The config `clipkit train` uses without --config: a small ViT with CLIP's loss on generated shapes. */
export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../configs/shapes-vit-clip.json', import.meta.url));

export interface TrainSetup {
  config: ClipConfig;
  /** A short name for logs, plots and the default run folder. */
  name: string;
}

/** The config of a `train` invocation: --config, else the resumed run's own, else the built-in default; --data sets data.path. */
export async function trainSetup(options: { config?: string; resume?: boolean; out?: string; data?: string }): Promise<TrainSetup> {
  let config: ClipConfig;
  let file: string;
  const checkpoint = options.resume && options.out && !options.config ? findCheckpoint(options.out) : undefined;
  if (checkpoint) {
    file = checkpoint;
    config = parseClipConfig(await readCheckpointConfig(checkpoint), `${checkpoint}/clipkit.json`);
  } else {
    file = options.config ?? DEFAULT_CONFIG_FILE;
    if (!existsSync(file)) throw new ClipkitError(`config file ${file} does not exist`);
    config = readClipConfig(file);
  }
  if (options.data !== undefined) {
    if (config.data.type === 'synthetic-shapes') throw new ClipkitError('--data gives a data folder, but data.type "synthetic-shapes" is generated and has none');
    config = { ...config, data: { ...config.data, path: options.data } };
  }
  return { config, name: basename(file, extname(file)) };
}
