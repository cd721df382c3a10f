import type { LoadedClip } from '@clipkit/core';
import { loadClip } from '@clipkit/core';
import { modelDirectoryPlugins } from '../plugins/pipeline-plugins.js';
import { backendOverride } from './backend-override.js';

export interface OpenModelOptions {
  /** --backend: the runtime of the towers, overriding the model's config. */
  backend?: string;
  /** Receives what the pipeline chose. Default: console.error. */
  log?: (message: string) => void;
}

/** Opens a model a command names (--model, train.init): a model directory, with the plug-ins its config names. */
export async function openModel(ref: string, options: OpenModelOptions = {}): Promise<LoadedClip> {
  return loadClip(ref, await modelDirectoryPlugins(ref), { backend: backendOverride(options.backend), log: options.log ?? ((m) => console.error(m)) });
}
