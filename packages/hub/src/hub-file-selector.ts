import { HubSelectionError } from './hub-errors.js';

/** What a selector is choosing for, so its errors can name the repository and where the listing came from. */
export interface HubSelectionContext {
  repoId: string;
  revision: string;
  /** `on https://huggingface.co` for the hub's listing, `in the cache (<folder>)` for a cached snapshot's. */
  where: string;
}

/**
 * Picks the files to fetch from a repository's listing (paths with "/"). It may throw HubSelectionError when the
 * listing lacks something required. The shards a chosen `*.index.json` names are added by resolveHubModel.
 */
export type HubFileSelector = (files: readonly string[], context: HubSelectionContext) => readonly string[];

/** Configs clipkit reads: open_clip and Hugging Face model configs, its own, and preprocessing/tokenizer settings. */
const CONFIG_FILES = ['config.json', 'open_clip_config.json', 'clipkit.json', 'preprocessor_config.json', 'tokenizer_config.json', 'special_tokens_map.json'];

/** Tokenizer data: CLIP BPE (HF vocab.json + merges.txt), a fast-tokenizer tokenizer.json, SigLIP's SentencePiece model. */
const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'tokenizer.json', 'spiece.model'];

/**
 * Weight files in order of preference, one format per model: safetensors (nothing is executed on load) before
 * pickles, and a whole file before shards of the same format. An index brings its shards.
 */
export const WEIGHT_FILES = [
  'model.safetensors',
  'model.safetensors.index.json',
  'open_clip_model.safetensors',
  'open_clip_pytorch_model.bin',
  'pytorch_model.bin',
  'pytorch_model.bin.index.json',
];

/** The default selection: the configs and tokenizer files present, and the first weight file of WEIGHT_FILES present. */
export const selectModelFiles: HubFileSelector = (files, context) => {
  const present = new Set(files);
  const weights = WEIGHT_FILES.find((file) => present.has(file));
  if (weights === undefined) {
    throw new HubSelectionError(
      `"${context.repoId}@${context.revision}" ${context.where} has none of the weight files clipkit reads (${WEIGHT_FILES.join(', ')}); it has: ${describeFiles(files)}`,
    );
  }
  return [...CONFIG_FILES.filter((file) => present.has(file)), ...TOKENIZER_FILES.filter((file) => present.has(file)), weights];
};

/** Whether a file is a sharded-checkpoint index (transformers' `*.safetensors.index.json` / `*.bin.index.json`). */
export function isShardIndex(file: string): boolean {
  return /\.(safetensors|bin)\.index\.json$/.test(file);
}

/** The shard files a sharded-checkpoint index names (its `weight_map` values), resolved against the index's folder. */
export function shardsOfIndex(indexFile: string, indexJson: string): string[] {
  const index = JSON.parse(indexJson) as { weight_map?: unknown };
  const map = index.weight_map;
  if (typeof map !== 'object' || map === null || Object.values(map).some((v) => typeof v !== 'string')) {
    throw new HubSelectionError(`${indexFile}: "weight_map" must map tensor names to shard file names`);
  }
  const folder = indexFile.includes('/') ? indexFile.slice(0, indexFile.lastIndexOf('/') + 1) : '';
  return [...new Set(Object.values(map as Record<string, string>))].sort().map((shard) => folder + shard);
}

function describeFiles(files: readonly string[]): string {
  if (files.length === 0) return '(no files)';
  return files.length > 12 ? `${files.slice(0, 12).join(', ')}, ... (${files.length} files)` : files.join(', ');
}
