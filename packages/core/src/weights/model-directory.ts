import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ModelSource, ModelSourceContext, SourcedModel } from '../components/model-source.js';
import type { TensorSource } from '../components/tensor-source.js';
import type { ClipConfig } from '../config/clip-config.js';
import { hfModelTypes, isHfModelConfig } from '../config/hf-model-config.js';
import { towerFormats } from '../config/open-clip-model-config.js';
import { parseClipConfig, readJsonConfig, resolveSectionPaths } from '../config/parse-clip-config.js';
import type { AnyClipPlugin } from '../di/plugin.js';
import { ClipkitError } from '../errors.js';
import { SafetensorsFile } from '../safetensors/safetensors-file.js';
import { otherWeightFiles } from './other-weight-files.js';
import { resolveModelReference } from './resolve-model-reference.js';

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

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function requireDirectory(dir: string): void {
  if (!existsSync(dir)) {
    const hint = /^[\w-]{2,}:/.test(dir) ? ' (a hub name such as hf:ORG/NAME is resolved by the model source of @clipkit/hub, which the clipkit command uses)' : '';
    throw new ClipkitError(`model directory ${dir} does not exist${hint}`);
  }
  if (!isDirectory(dir)) {
    throw new ClipkitError(
      `${dir} is a file clipkit cannot read as a model: core reads a .safetensors file in a folder with a model config; ` +
        'PyTorch (.bin, .pt) and sharded checkpoints are read by the model source of @clipkit/checkpoints, which the clipkit command uses',
    );
  }
}

/** Throws unless transformers' `model_type` of a config.json is one the tower plug-ins read. */
function checkHfModelType(file: string, json: unknown, plugins: readonly AnyClipPlugin[]): void {
  const type = (json as { model_type?: unknown }).model_type ?? 'clip';
  const known = hfModelTypes(plugins);
  if (isHfModelConfig(json) && typeof type === 'string' && known.includes(type)) return;
  throw new ClipkitError(
    `${file} is a Hugging Face config of model_type ${JSON.stringify(type)}; the plug-ins given read model_type ${known.map((t) => `"${t}"`).join(', ') || '(none)'}` +
      (type === 'siglip' ? ': install @clipkit/encoders-siglip' : ''),
  );
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
    checkHfModelType(
      hfConfig,
      readJsonConfig(hfConfig, (j) => j),
      plugins,
    );
    return 'huggingface';
  }
  const found = readdirSync(dir).sort();
  const listed = found.length === 0 ? 'nothing' : found.slice(0, 12).join(', ') + (found.length > 12 ? `, ... (${found.length} files)` : '');
  throw new ClipkitError(
    `${dir} is not a model directory (found: ${listed}). clipkit reads: a clipkit checkpoint (clipkit.json + ${WEIGHTS_FILE}); ` +
      `an open_clip model (open_clip_config.json + ${WEIGHTS_FILE} with OpenAI names); ` +
      `a Hugging Face model (config.json with model_type "clip" or "siglip" + ${WEIGHTS_FILE}); ` +
      'and, through the model source of @clipkit/checkpoints (the clipkit command uses it), PyTorch .bin/.pt files, ' +
      'sharded checkpoints, open_clip hub and training checkpoints, and OpenAI TorchScript archives.',
  );
}

/** What loadClip needs from a model directory. */
export interface ModelDirectory {
  /** The folder holding the model (of a file given directly: its folder). */
  readonly dir: string;
  readonly layout: ModelLayout;
  /** The file the config was read from (the weights file, when a model source inferred the config from them). */
  readonly configFile: string;
  /** The validated config, with defaults for what the directory does not say (loss, data, train). */
  readonly config: ClipConfig;
  /** The weights: model.safetensors for core's own layouts, else the file a model source chose. */
  readonly weightsFile: string;
  /** open_clip's `preprocess_cfg` (mean, std, interpolation, resize_mode) when the config has one. */
  readonly openClipPreprocess: Readonly<Record<string, unknown>> | null;
  /** Who read the model: "clipkit" for core's own layouts, else the model source's name. */
  readonly source: string;
  /** Opens the weights as named tensors; the caller closes them. */
  openWeights(): Promise<TensorSource>;
}

export interface ReadModelDirectoryOptions {
  /** Replaces the config's `backend` section, e.g. { type: "onnxruntime" }; validated like the config. */
  backend?: Readonly<{ type: string } & Record<string, unknown>>;
  /**
   * Where else models come from: hub names resolved to folders, formats core does not parse. Asked in order:
   * to resolve the reference first, then to read what core's own layouts do not (see ModelSource). Default none.
   */
  sources?: readonly ModelSource[];
  /** Receives what was chosen (a download, which of several weight files). Default: console.error. */
  log?: (message: string) => void;
}

function asObject(json: unknown): Record<string, unknown> {
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
}

/** The tokenizer of a Hugging Face model: the one its text tower's format names (CLIP's BPE by default). */
function hfTokenizerType(json: Record<string, unknown>, plugins: readonly AnyClipPlugin[]): string {
  const modelType = json.model_type ?? 'clip';
  return towerFormats(plugins, 'model.text', 'huggingface').find((f) => f.format.modelType === modelType)?.format.tokenizer ?? 'clip-bpe';
}

/** A layout's config file as a clipkit config document, its tokenizer the folder's own files when it has them. */
function configDocument(layout: ModelLayout, json: Record<string, unknown>, dir: string, plugins: readonly AnyClipPlugin[]) {
  const ownPath = hasTokenizerFiles(dir) ? resolve(dir) : null;
  if (layout === 'clipkit') return { document: json.tokenizer === undefined ? { ...json, tokenizer: { type: 'clip-bpe', path: ownPath } } : { ...json }, preprocess: null };
  if (layout === 'open_clip') {
    // open_clip's Hub export wraps the model config: { model_cfg, preprocess_cfg }; its model_configs/*.json are bare.
    const wrapped = 'model_cfg' in json;
    const preprocess = wrapped && json.preprocess_cfg !== undefined ? asObject(json.preprocess_cfg) : null;
    const document: Record<string, unknown> = { model: wrapped ? json.model_cfg : json, tokenizer: { type: 'clip-bpe', path: ownPath } };
    // The exact transform clipkit writes beside preprocess_cfg, for what open_clip's cannot say (a resize to another size than the crop).
    const clipkit = asObject(json.clipkit);
    if (clipkit.preprocess !== undefined) document.preprocess = clipkit.preprocess;
    return { document, preprocess };
  }
  return { document: { model: json, tokenizer: { type: hfTokenizerType(json, plugins), path: ownPath } }, preprocess: null };
}

interface ModelParts {
  dir: string;
  layout: ModelLayout;
  configFile: string;
  json: Record<string, unknown>;
  weightsFile: string;
  source: string;
  openWeights: () => Promise<TensorSource>;
}

function modelDirectory(parts: ModelParts, plugins: readonly AnyClipPlugin[], options: ReadModelDirectoryOptions): ModelDirectory {
  const { dir, layout, configFile, json, weightsFile, source, openWeights } = parts;
  const { document, preprocess } = configDocument(layout, json, dir, plugins);
  if (options.backend) (document as Record<string, unknown>).backend = options.backend;
  const config = resolveSectionPaths(parseClipConfig(document, plugins, configFile, { training: false }), dir);
  return { dir, layout, configFile, config, weightsFile, openClipPreprocess: preprocess, source, openWeights };
}

/**
 * The layout of a folder with its weights: open_clip's hub repositories hold both open_clip_config.json and,
 * since transformers weights were added beside open_clip's, a config.json, so when both are there the names
 * in the weights decide (transformers' `vision_model.*` or OpenAI's `visual.*`).
 */
async function layoutWithWeights(dir: string, weightsFile: string, plugins: readonly AnyClipPlugin[]): Promise<ModelLayout> {
  const layout = detectModelLayout(dir, plugins);
  const hfConfig = join(dir, LAYOUT_CONFIG_FILES.huggingface);
  if (layout !== 'open_clip' || !existsSync(hfConfig) || !existsSync(weightsFile)) return layout;
  const file = await SafetensorsFile.open(weightsFile);
  await file.close();
  if (!file.names.some((name) => name.startsWith('vision_model.') || name.startsWith('text_model.'))) return layout;
  checkHfModelType(
    hfConfig,
    readJsonConfig(hfConfig, (j) => j),
    plugins,
  );
  return 'huggingface';
}

/** A folder in one of core's layouts, its weights in `weightsFile`. */
async function ownModel(dir: string, weightsFile: string, plugins: readonly AnyClipPlugin[], options: ReadModelDirectoryOptions): Promise<ModelDirectory> {
  const layout = await layoutWithWeights(dir, weightsFile, plugins);
  const configFile = join(dir, LAYOUT_CONFIG_FILES[layout]);
  const json = asObject(readJsonConfig(configFile, (j) => j));
  return modelDirectory({ dir, layout, configFile, json, weightsFile, source: 'clipkit', openWeights: () => SafetensorsFile.open(weightsFile) }, plugins, options);
}

function sourcedModel(found: SourcedModel, source: string, plugins: readonly AnyClipPlugin[], options: ReadModelDirectoryOptions): ModelDirectory {
  if (found.layout === 'huggingface') checkHfModelType(found.configFile, found.config, plugins);
  const { layout, configFile, weightsFile } = found;
  const parts = { dir: dirname(weightsFile), layout, configFile, json: asObject(found.config), weightsFile, source, openWeights: () => found.openWeights() };
  return modelDirectory(parts, plugins, options);
}

/**
 * Core's own reading of a path: a folder holding model.safetensors, or a .safetensors file in a folder with a
 * layout config; undefined when neither (the model sources are asked next).
 */
function ownWeightsFile(path: string): { dir: string; weightsFile: string } | undefined {
  if (isDirectory(path)) return existsSync(join(path, WEIGHTS_FILE)) ? { dir: path, weightsFile: join(path, WEIGHTS_FILE) } : undefined;
  const dir = dirname(path);
  const hasLayout = Object.values(LAYOUT_CONFIG_FILES).some((file) => existsSync(join(dir, file)));
  return path.endsWith('.safetensors') && existsSync(path) && hasLayout ? { dir, weightsFile: path } : undefined;
}

/**
 * Reads a model's config into a ClipConfig and says where its weights are. `ref` is a folder, a weights file
 * or a reference a model source resolves (`hf:ORG/NAME`). Core's own layouts come first: a folder holding
 * model.safetensors and clipkit.json, open_clip_config.json or a Hugging Face config.json, or a .safetensors
 * file in such a folder. Anything else is offered to `options.sources` in order (PyTorch checkpoints, shards,
 * ...). Foreign layouts become `{ model: <their config> }` with clipkit defaults elsewhere; the tokenizer is
 * the folder's own files when it has them, else the bundled OpenAI vocabulary. A clipkit.json's relative
 * section paths are taken relative to the folder.
 */
export async function readModelDirectory(ref: string, plugins: readonly AnyClipPlugin[], options: ReadModelDirectoryOptions = {}): Promise<ModelDirectory> {
  const sources = options.sources ?? [];
  const context: ModelSourceContext = { log: options.log ?? ((message: string) => console.error(message)) };
  const path = await resolveModelReference(ref, sources, context);
  const own = ownWeightsFile(path);
  if (own) {
    const others = otherWeightFiles(own.dir).filter((file) => file !== basename(own.weightsFile));
    if (others.length > 0) context.log(`clipkit: ${own.dir}: using ${basename(own.weightsFile)} (safetensors in clipkit's own layout come first); not read: ${others.join(', ')}`);
    return ownModel(own.dir, own.weightsFile, plugins, options);
  }
  for (const source of sources) {
    const found = await source.read?.(path, context);
    if (found === undefined) continue;
    for (const note of found.notes) context.log(`clipkit: ${note}`);
    return sourcedModel(found, source.name, plugins, options);
  }
  // Nothing read it: core's own reading explains what is missing (or loads a folder that has no weights file).
  return ownModel(path, join(path, WEIGHTS_FILE), plugins, options);
}
