import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ClipConfig } from '../config/clip-config.js';
import { hfModelTypes, isHfModelConfig } from '../config/hf-model-config.js';
import { towerFormats } from '../config/open-clip-model-config.js';
import { parseClipConfig, readJsonConfig, resolveSectionPaths } from '../config/parse-clip-config.js';
import type { AnyClipPlugin } from '../di/plugin.js';
import { ClipkitError } from '../errors.js';

/** The three kinds of model directory clipkit reads and writes (see DESIGN.md, "Checkpoints and model directories"). */
export type ModelLayout = 'huggingface' | 'open_clip' | 'clipkit';

/** The file that identifies each layout, in the order they are looked for. */
export const LAYOUT_CONFIG_FILES: Readonly<Record<ModelLayout, string>> = {
  clipkit: 'clipkit.json',
  open_clip: 'open_clip_config.json',
  huggingface: 'config.json',
};

/** Every layout keeps its weights here (OpenAI names for clipkit and open_clip, transformers names for huggingface). */
export const WEIGHTS_FILE = 'model.safetensors';

/** Tokenizer files that make a directory carry its own vocabulary (transformers' CLIPTokenizer / tokenizers' JSON). */
const TOKENIZER_FILE_SETS: readonly (readonly string[])[] = [['vocab.json', 'merges.txt'], ['tokenizer.json'], ['spiece.model']];

export function hasTokenizerFiles(dir: string): boolean {
  return TOKENIZER_FILE_SETS.some((files) => files.every((f) => existsSync(join(dir, f))));
}

function requireDirectory(dir: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new ClipkitError(`model directory ${dir} does not exist`);
  }
  if (!isDirectory) throw new ClipkitError(`${dir} is a file; --model / loadClip take the directory holding the model's config and ${WEIGHTS_FILE}`);
}

/**
 * Which layout a model directory is in, from its files: clipkit.json (clipkit), open_clip_config.json
 * (open_clip), or a config.json whose model_type a given tower plug-in reads (Hugging Face: "clip",
 * "siglip", ...). A directory with several is read as the first of these, clipkit's own being the most specific.
 */
export function detectModelLayout(dir: string, plugins: readonly AnyClipPlugin[]): ModelLayout {
  requireDirectory(dir);
  if (existsSync(join(dir, LAYOUT_CONFIG_FILES.clipkit))) return 'clipkit';
  if (existsSync(join(dir, LAYOUT_CONFIG_FILES.open_clip))) return 'open_clip';
  const hfConfig = join(dir, LAYOUT_CONFIG_FILES.huggingface);
  if (existsSync(hfConfig)) {
    const json = readJsonConfig(hfConfig, (j) => j);
    const type = (json as { model_type?: unknown }).model_type ?? 'clip';
    const known = hfModelTypes(plugins);
    if (isHfModelConfig(json) && typeof type === 'string' && known.includes(type)) return 'huggingface';
    throw new ClipkitError(
      `${hfConfig} is a Hugging Face config of model_type ${JSON.stringify(type)}; the plug-ins given read model_type ${known.map((t) => `"${t}"`).join(', ') || '(none)'}` +
        (type === 'siglip' ? ': install @clipkit/encoders-siglip' : ''),
    );
  }
  const found = readdirSync(dir).sort();
  const listed = found.length === 0 ? 'nothing' : found.slice(0, 12).join(', ') + (found.length > 12 ? `, ... (${found.length} files)` : '');
  throw new ClipkitError(
    `${dir} is not a model directory (found: ${listed}). clipkit reads: a clipkit checkpoint (clipkit.json + ${WEIGHTS_FILE}); ` +
      `an open_clip model (open_clip_config.json + ${WEIGHTS_FILE} with OpenAI names); ` +
      `a Hugging Face model (config.json with model_type "clip" or "siglip" + ${WEIGHTS_FILE}).`,
  );
}

/** What loadClip needs from a model directory. */
export interface ModelDirectory {
  readonly dir: string;
  readonly layout: ModelLayout;
  /** The layout's config file. */
  readonly configFile: string;
  /** The validated config, with defaults for what the directory does not say (loss, data, train). */
  readonly config: ClipConfig;
  readonly weightsFile: string;
  /** open_clip's `preprocess_cfg` (mean, std, interpolation, resize_mode) when the config has one. */
  readonly openClipPreprocess: Readonly<Record<string, unknown>> | null;
}

export interface ReadModelDirectoryOptions {
  /** Replaces the config's `backend` section, e.g. { type: "onnxruntime" }; validated like the config. */
  backend?: Readonly<{ type: string } & Record<string, unknown>>;
}

function asObject(json: unknown): Record<string, unknown> {
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
}

/** The tokenizer of a Hugging Face model: the one its text tower's format names (CLIP's BPE by default). */
function hfTokenizerType(json: Record<string, unknown>, plugins: readonly AnyClipPlugin[]): string {
  const modelType = json.model_type ?? 'clip';
  return towerFormats(plugins, 'model.text', 'huggingface').find((f) => f.format.modelType === modelType)?.format.tokenizer ?? 'clip-bpe';
}

/**
 * Reads a model directory's config into a ClipConfig. Foreign layouts become `{ model: <their config> }`
 * with clipkit defaults elsewhere; the tokenizer is the directory's own files when it has them, else the
 * bundled OpenAI vocabulary. A clipkit.json's relative section paths are taken relative to the directory.
 */
export function readModelDirectory(dir: string, plugins: readonly AnyClipPlugin[], options: ReadModelDirectoryOptions = {}): ModelDirectory {
  const layout = detectModelLayout(dir, plugins);
  const configFile = join(dir, LAYOUT_CONFIG_FILES[layout]);
  const json = asObject(readJsonConfig(configFile, (j) => j));
  const ownPath = hasTokenizerFiles(dir) ? resolve(dir) : null;
  let document: Record<string, unknown>;
  let openClipPreprocess: Record<string, unknown> | null = null;
  if (layout === 'clipkit') {
    document = { ...json };
    if (json.tokenizer === undefined) document.tokenizer = { type: 'clip-bpe', path: ownPath };
  } else if (layout === 'open_clip') {
    // open_clip's Hub export wraps the model config: { model_cfg, preprocess_cfg }; its model_configs/*.json are bare.
    const wrapped = 'model_cfg' in json;
    document = { model: wrapped ? json.model_cfg : json, tokenizer: { type: 'clip-bpe', path: ownPath } };
    if (wrapped && json.preprocess_cfg !== undefined) openClipPreprocess = asObject(json.preprocess_cfg);
    // The exact transform clipkit writes beside preprocess_cfg, for what open_clip's cannot say (a resize to another size than the crop).
    const clipkit = asObject(json.clipkit);
    if (clipkit.preprocess !== undefined) document.preprocess = clipkit.preprocess;
  } else {
    document = { model: json, tokenizer: { type: hfTokenizerType(json, plugins), path: ownPath } };
  }
  if (options.backend) document.backend = options.backend;
  const config = resolveSectionPaths(parseClipConfig(document, plugins, configFile), dir);
  return { dir, layout, configFile, config, weightsFile: join(dir, WEIGHTS_FILE), openClipPreprocess };
}
