import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type AnyClipPlugin, type LoadedClip, loadClip, type ModelSource, resolveModelReference } from '@clipkit/core';
import { defaultModelSources } from '../plugins/default-model-sources.js';
import { modelDirectoryPlugins } from '../plugins/pipeline-plugins.js';
import { backendOverride } from './backend-override.js';
import { cachedOnnxExport } from './onnx-export-cache.js';

export interface OpenModelOptions {
  /** The towers' runtime (--backend), overriding the model config's and `fastRuntime`. Default: the config's (tfjs). */
  backend?: string;
  /**
   * Run inference on onnxruntime when no --backend is given, onnxruntime-node is installed and both towers have
   * an ONNX export: through the model's export in the cache (onnxExportCache: made once, reused after). A model
   * that cannot is opened as without this option, with a note. For commands that only infer. Default false.
   */
  fastRuntime?: boolean;
  /** Where loading says what it chose (the backend, a download, which weights file). Default: stderr. */
  log?: (message: string) => void;
}

/** A model reference made local: the path, the plug-ins the model needs and the sources that read it. */
export interface ResolvedModel {
  path: string;
  plugins: AnyClipPlugin[];
  sources: ModelSource[];
}

const toStderr = (message: string) => console.error(message);

/**
 * What every command does before reading a `--model`: a hub name is fetched into the shared cache and becomes
 * its snapshot folder (the same reference is not resolved twice), and the plug-ins are clipkit's own plus those
 * a clipkit.json in the model's folder names.
 */
export async function resolveModel(ref: string, log: (message: string) => void = toStderr): Promise<ResolvedModel> {
  const sources = await defaultModelSources();
  const path = await resolveModelReference(ref, sources, { log });
  const dir = existsSync(path) && statSync(path).isFile() ? dirname(path) : path;
  return { path, plugins: await modelDirectoryPlugins(dir), sources };
}

/**
 * Opens the model a `--model` names, as every command that takes one does: a folder (clipkit, open_clip or
 * Hugging Face layout, PyTorch .bin/.pt, sharded or TorchScript checkpoints), a weights file, or a hub name
 * (`hf:ORG/NAME[@REVISION]`, `hf-hub:ORG/NAME`), read with clipkit's plug-ins and model sources.
 */
export async function openModel(ref: string, options: OpenModelOptions = {}): Promise<LoadedClip> {
  const log = options.log ?? toStderr;
  const { path, plugins, sources } = await resolveModel(ref, log);
  // --backend onnxruntime on a model that is not an export yet takes the cache's export too.
  if ((options.fastRuntime && options.backend === undefined) || options.backend === 'onnxruntime') {
    const exported = await cachedOnnxExport(path, plugins, { sources, log });
    if (exported !== undefined) return loadClip(exported, plugins, { backend: backendOverride(options.backend), sources, log });
  }
  return loadClip(path, plugins, { backend: backendOverride(options.backend), sources, log });
}
