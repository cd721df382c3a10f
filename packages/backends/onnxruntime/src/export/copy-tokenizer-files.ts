import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type PluginSection, writeContentAtomic } from '@clipkit/core';

/**
 * The files a SentencePiece tokenizer (SigLIP's) reads from its folder: the model as spiece.model and/or
 * tokenizer.json, and transformers' settings around it (model_max_length, the special tokens).
 */
const SENTENCEPIECE_FILES = ['spiece.model', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

/** What the folder beside a tokenizer file adds to it: its settings, not another model. */
const SETTINGS_FILES = ['tokenizer_config.json', 'special_tokens_map.json'] as const;

/**
 * Copies the tokenizer files a tokenizer section's `path` names into `outDir` and returns the section pointing
 * at the copies (relative to outDir's clipkit.json), so an export does not depend on the model it came from.
 * A folder gives those of SENTENCEPIECE_FILES it holds; a file gives itself and the settings beside it. A
 * section without a path, or whose folder holds none of these files, is returned as it is. Returns the
 * files written with the section.
 */
export async function copyTokenizerFiles(section: PluginSection, outDir: string): Promise<{ section: PluginSection; files: string[] }> {
  const { path } = section;
  if (typeof path !== 'string' || !existsSync(path)) return { section, files: [] };
  const isFolder = statSync(path).isDirectory();
  const folder = isFolder ? path : dirname(path);
  const names = isFolder
    ? SENTENCEPIECE_FILES.filter((name) => existsSync(join(folder, name)))
    : [basename(path), ...SETTINGS_FILES.filter((name) => existsSync(join(folder, name)))];
  if (names.length === 0) return { section, files: [] };
  const files: string[] = [];
  for (const name of new Set(names)) {
    const target = join(outDir, name);
    await writeContentAtomic(target, await readFile(join(folder, name)));
    files.push(target);
  }
  return { section: { ...section, path: isFolder ? '.' : basename(path) }, files };
}
