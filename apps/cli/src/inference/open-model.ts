import { type LoadedClip, loadClip } from '@clipkit/core';
import { modelDirectoryPlugins } from '../plugins/pipeline-plugins.js';
import { backendOverride } from './backend-override.js';

export interface OpenModelOptions {
  /** The towers' runtime (--backend), overriding the model config's. Default: the config's (tfjs). */
  backend?: string;
  /** Where loading says what it chose (the backend, ...). Default: stderr. */
  log?: (message: string) => void;
}

/** Opens the model a `--model` names (a model directory), with clipkit's plug-ins and those its clipkit.json names. */
export async function openModel(ref: string, options: OpenModelOptions = {}): Promise<LoadedClip> {
  const log = options.log ?? ((message: string) => console.error(message));
  return loadClip(ref, await modelDirectoryPlugins(ref), { backend: backendOverride(options.backend), log });
}
