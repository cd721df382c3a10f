import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Tokenizer } from '@clipkit/core';
import { loadClipTokenizer } from '@clipkit/text-transformer';
import { loadSentencePieceTokenizer } from '@clipkit/tokenizer-sentencepiece';

/** Whether a tokenizer.json holds a SentencePiece (Unigram) model rather than CLIP's BPE; unreadable files are left to the BPE loader's errors. */
function isUnigramTokenizerJson(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { model?: { type?: unknown } }).model?.type === 'Unigram';
  } catch {
    return false;
  }
}

/**
 * Whether `path` names SentencePiece tokenizer files: a `.model` file (spiece.model), a Unigram tokenizer.json,
 * or a folder with spiece.model, or with a Unigram tokenizer.json and no CLIP vocab.json + merges.txt.
 */
function isSentencePiece(path: string): boolean {
  if (!existsSync(path)) return false;
  if (!statSync(path).isDirectory()) return path.endsWith('.model') || (path.endsWith('.json') && isUnigramTokenizerJson(path));
  if (existsSync(join(path, 'spiece.model'))) return true;
  const json = join(path, 'tokenizer.json');
  return !existsSync(join(path, 'vocab.json')) && existsSync(json) && isUnigramTokenizerJson(json);
}

/**
 * The tokenizer of `--tokenizer FILE|DIR`: SigLIP's SentencePiece tokenizer (with the folder's
 * tokenizer_config.json) for spiece.model or a Unigram tokenizer.json, else CLIP's BPE (the OpenAI vocabulary
 * bundled with clipkit when no path is given).
 */
export function loadTokenizerFiles(path: string | undefined): Tokenizer {
  return path !== undefined && isSentencePiece(path) ? loadSentencePieceTokenizer(path) : loadClipTokenizer(path);
}
