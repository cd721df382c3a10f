import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { readSentencePieceModel, type SentencePieceModel } from './sentencepiece-model.js';
import { SentencePieceModelError } from './sentencepiece-model-error.js';
import { SiglipTokenizer } from './siglip-tokenizer.js';
import { readSiglipTokenizerConfig } from './siglip-tokenizer-config.js';
import { sentencePieceModelFromTokenizerJson } from './tokenizer-json.js';

/**
 * Loads SigLIP's tokenizer (synchronously) from a spiece.model, a tokenizer.json, or a directory holding
 * either, with tokenizer_config.json / special_tokens_map.json from the same directory when present.
 *
 * A directory with both files is read from spiece.model. transformers' AutoTokenizer would prefer
 * tokenizer.json through SiglipTokenizerFast where that class exists, but the fast tokenizer skips
 * SiglipTokenizer's lowercasing and punctuation removal, while SiglipTokenizer (the class SigLIP configs name,
 * and the reference here) reads spiece.model. Either file gives the same ids when one was converted from the
 * other: the SigLIP steps are applied around the model in both cases.
 */
export function loadSentencePieceTokenizer(path: string): SiglipTokenizer {
  const model = loadSentencePieceModel(path);
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  return new SiglipTokenizer(model, readSiglipTokenizerConfig(dir));
}

/** The SentencePiece model of a spiece.model, a tokenizer.json, or a directory holding either (spiece.model first). */
export function loadSentencePieceModel(path: string): SentencePieceModel {
  if (!existsSync(path)) throw new ClipkitError(`tokenizer file not found: ${path}; give a spiece.model, a tokenizer.json or a directory holding one`);
  if (statSync(path).isDirectory()) {
    for (const name of ['spiece.model', 'tokenizer.json']) if (existsSync(join(path, name))) return loadSentencePieceModel(join(path, name));
    throw new ClipkitError(`${path}: no tokenizer files; expected spiece.model or tokenizer.json`);
  }
  if (!path.endsWith('.json')) return readSentencePieceModel(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SentencePieceModelError(path, `not valid JSON: ${(error as Error).message}`);
  }
  return sentencePieceModelFromTokenizerJson(json, path);
}
