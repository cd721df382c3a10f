import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { type AnyClipPlugin, ClipkitError, LAYOUT_CONFIG_FILES, type ModelConfig, type ModelSource, readModelDirectory } from '@clipkit/core';

/**
 * Where exports made for the fast runtime are kept: $CLIPKIT_CACHE/onnx, else $XDG_CACHE_HOME/clipkit/onnx,
 * else ~/.cache/clipkit/onnx. One folder per model, named by the hash of what the export is made from.
 */
function onnxCacheRoot(): string {
  const root = process.env.CLIPKIT_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'clipkit');
  return join(root, 'onnx');
}

/** Files beside the weights that an export copies or reads (configs, tokenizer, preprocessing) are below this size. */
const SMALL_FILE = 16 * 2 ** 20;

async function hashFile(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 2 ** 20 })) hash.update(chunk as Buffer);
}

/** The weights file and, for a sharded checkpoint's index, its shards in the index's order. */
async function weightFiles(weightsFile: string): Promise<string[]> {
  if (!weightsFile.endsWith('.index.json')) return [weightsFile];
  const { weight_map: map } = JSON.parse(await readFile(weightsFile, 'utf8')) as { weight_map?: Record<string, string> };
  return [weightsFile, ...[...new Set(Object.values(map ?? {}))].sort().map((shard) => join(dirname(weightsFile), shard))];
}

/**
 * The cache key of a model's export: SHA-256 over the exporter's version, the export options, the weights'
 * bytes and every small file of the model's folder (config, tokenizer, preprocessor_config.json), so a
 * change to any of them makes a new export and an unchanged model reuses the old one wherever it lives.
 */
async function exportKey(dir: string, weightsFile: string, salt: string): Promise<string> {
  const hash = createHash('sha256').update(salt);
  const weights = await weightFiles(weightsFile);
  for (const file of weights) {
    hash.update(`\0weights ${basename(file)}\0`);
    await hashFile(hash, file);
  }
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if (weights.includes(path)) continue;
    const info = await stat(path);
    if (!info.isFile() || info.size > SMALL_FILE) continue;
    hash.update(`\0file ${name}\0`);
    hash.update(await readFile(path));
  }
  return hash.digest('hex').slice(0, 32);
}

export interface CachedOnnxExportOptions {
  /** Where models come from besides core's own layouts (the command's sources). */
  sources?: readonly ModelSource[];
  log: (message: string) => void;
  /** The cache's root; default onnxCacheRoot(). */
  cacheRoot?: string;
}

/** Why the towers cannot run on onnxruntime (a tower without ONNX export, onnxruntime-node missing), or null. */
async function onnxRuntimeProblem(model: ModelConfig, plugins: readonly AnyClipPlugin[]): Promise<string | null> {
  let onnx: typeof import('@clipkit/backend-onnxruntime');
  try {
    onnx = await import('@clipkit/backend-onnxruntime');
  } catch {
    return 'onnxruntime-node is not installed (npm install onnxruntime-node for faster inference)';
  }
  for (const tower of ['image', 'text'] as const) {
    try {
      onnx.towerOnnxExport(model, tower, plugins);
    } catch (error) {
      if (error instanceof ClipkitError) return error.message;
      throw error;
    }
  }
  return null;
}

/**
 * The folder to load `path` from on onnxruntime: the model itself when it already is an ONNX export, else its
 * export in the cache, made once (into a temporary folder renamed into place, so a folder in the cache is
 * always complete, and two processes exporting the same model at once both end up with one good copy).
 * Undefined when the model cannot run on onnxruntime, with a note saying why (the caller runs it on tfjs).
 */
export async function cachedOnnxExport(path: string, plugins: readonly AnyClipPlugin[], options: CachedOnnxExportOptions): Promise<string | undefined> {
  const { log } = options;
  const directory = await readModelDirectory(path, plugins, { sources: options.sources, log: () => undefined });
  if (directory.config.backend.type === 'onnxruntime' || existsSync(join(directory.dir, 'vision.onnx'))) {
    log(`clipkit: onnxruntime, on the model's own ONNX export in ${directory.dir}`);
    return path;
  }
  const problem = await onnxRuntimeProblem(directory.config.model, plugins);
  if (problem !== null) {
    log(`clipkit: running on tfjs, not onnxruntime: ${problem}`);
    return undefined;
  }
  const { exportOnnxModel, EXPORTER_VERSION } = await import('@clipkit/backend-onnxruntime');
  const root = options.cacheRoot ?? onnxCacheRoot();
  const key = await exportKey(directory.dir, directory.weightsFile, `clipkit onnx export ${EXPORTER_VERSION} float32\0`);
  const cached = join(root, key);
  if (existsSync(join(cached, LAYOUT_CONFIG_FILES.clipkit))) {
    log(`clipkit: onnxruntime, on the ONNX export cached in ${cached} (--backend tfjs runs tfjs)`);
    return cached;
  }
  await mkdir(root, { recursive: true });
  const staging = join(root, `.${key}.${process.pid}.tmp`);
  await rm(staging, { recursive: true, force: true });
  log(`clipkit: onnxruntime, exporting the model to ONNX once, into ${cached} (--backend tfjs runs tfjs)`);
  const start = performance.now();
  try {
    await exportOnnxModel(path, staging, plugins, { sources: options.sources });
    await rename(staging, cached);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process finished the same export first: its copy is as good as this one.
    if (!existsSync(join(cached, LAYOUT_CONFIG_FILES.clipkit))) throw error;
  }
  log(`clipkit: exported in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return cached;
}
