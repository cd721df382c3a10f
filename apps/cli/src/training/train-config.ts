import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AnyClipPlugin,
  type ClipConfig,
  ClipkitError,
  findCheckpoint,
  LAYOUT_CONFIG_FILES,
  parseClipConfig,
  readJsonConfig,
  resolveSectionPaths,
  type TensorSource,
} from '@clipkit/core';
import { pipelinePlugins } from '../plugins/pipeline-plugins.js';
import { openInitModel, resolveInitRef } from './init-model.js';

/** The config `clipkit train` uses without --config: a small ViT with CLIP's loss on generated shapes. */
const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../configs/shapes-vit-clip.json', import.meta.url));

interface TrainSetup {
  config: ClipConfig;
  /** clipkit's plug-ins and those of the packages the config (and its train.init model) names. */
  plugins: AnyClipPlugin[];
  /** A short name for logs, plots and the default run folder. */
  name: string;
  /** The weights of train.init, for a run that starts from a model. */
  init?: TensorSource;
}

type Json = Record<string, unknown>;

const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/**
 * The config of a `train` invocation: --config, else the resumed run's own, else the built-in default; --data
 * sets data.path. A config with `train.init` is completed from that model (its section, tokenizer, preprocessing
 * and logit scale/bias where the config sets none), except when resuming from the run's own config, which
 * already holds them; the model's weights come back as `init`.
 */
export async function trainSetup(options: { config?: string; resume?: boolean; out?: string; data?: string }): Promise<TrainSetup> {
  const checkpoint = options.resume && options.out && !options.config ? findCheckpoint(options.out) : undefined;
  const file = checkpoint ? join(checkpoint, LAYOUT_CONFIG_FILES.clipkit) : (options.config ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) throw new ClipkitError(`config file ${file} does not exist`);
  let json = readJsonConfig(file, (j) => j) as Json;
  const ref = typeof (json.train as Json | undefined)?.init === 'string' && !checkpoint ? ((json.train as Json).init as string) : undefined;
  let init: TensorSource | undefined;
  if (ref !== undefined) {
    const opened = await openInitModel(json, resolveInitRef(ref, dirname(file)), (m) => console.error(m));
    init = opened.weights;
    json = { ...opened.json, plugins: [...new Set([...stringsOf(json.plugins), ...opened.plugins])] };
  }
  try {
    const plugins = await pipelinePlugins(stringsOf(json.plugins), dirname(file));
    let config = resolveSectionPaths(parseClipConfig(json, plugins, file), dirname(file));
    if (options.data !== undefined) {
      if (config.data.type === 'synthetic-shapes') throw new ClipkitError('--data gives a data folder, but data.type "synthetic-shapes" is generated and has none');
      config = { ...config, data: { ...config.data, path: options.data } };
    }
    return { config, plugins, name: basename(checkpoint ?? file, extname(checkpoint ?? file)), init };
  } catch (error) {
    await init?.close();
    throw error;
  }
}
