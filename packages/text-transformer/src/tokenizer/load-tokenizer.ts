import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ClipkitError } from '@clipkit/core';
import { type BpeVocabulary, MAX_OPENAI_MERGES, openAiVocabulary } from './bpe-vocabulary.js';
import { ClipTokenizer } from './clip-tokenizer.js';

/** OpenAI's vocabulary, bundled with the package (resolved from this module, so it works from dist and from a tarball). */
export const DEFAULT_VOCABULARY_PATH = fileURLToPath(new URL('../../assets/bpe_simple_vocab_16e6.txt.gz', import.meta.url));

/**
 * Loads a CLIP tokenizer (synchronously) from:
 * - OpenAI's bpe_simple_vocab_16e6.txt.gz (or the same merges list uncompressed), the vocabulary implied by the merges;
 * - a Hugging Face vocab.json, with merges.txt beside it (or that merges.txt);
 * - a Hugging Face tokenizer.json;
 * - a directory holding one of these (vocab.json + merges.txt first, as Hugging Face CLIP model directories do).
 * No path: the bundled OpenAI vocabulary.
 */
export function loadClipTokenizer(path: string = DEFAULT_VOCABULARY_PATH): ClipTokenizer {
  const { vocabulary, source } = loadBpeVocabulary(path);
  return new ClipTokenizer(vocabulary, source);
}

/** The vocabulary behind loadClipTokenizer, and the file(s) it came from. */
export function loadBpeVocabulary(path: string = DEFAULT_VOCABULARY_PATH): { vocabulary: BpeVocabulary; source: string } {
  if (!existsSync(path)) throw new ClipkitError(`tokenizer file not found: ${path}; give bpe_simple_vocab_16e6.txt.gz, vocab.json, tokenizer.json or a directory holding them`);
  if (statSync(path).isDirectory()) return loadFromDirectory(path);
  const name = basename(path);
  if (name === 'merges.txt' && existsSync(join(dirname(path), 'vocab.json'))) return readHfVocabAndMerges(join(dirname(path), 'vocab.json'), path);
  if (name.endsWith('.json')) {
    const json = readJson(path);
    // A vocab.json maps tokens to ids (CLIP's even has a token "model"); a tokenizer.json has a model object.
    if (isObject(json) && isObject(json.model)) return { vocabulary: tokenizerJsonVocabulary(json, path), source: path };
    return readHfVocabAndMerges(path, join(dirname(path), 'merges.txt'), json);
  }
  return { vocabulary: openAiVocabulary(parseMerges(readText(path), path, MAX_OPENAI_MERGES)), source: path };
}

function loadFromDirectory(dir: string): { vocabulary: BpeVocabulary; source: string } {
  const candidates = ['vocab.json', 'tokenizer.json', 'bpe_simple_vocab_16e6.txt.gz'];
  for (const name of candidates) {
    const file = join(dir, name);
    if (existsSync(file) && (name !== 'vocab.json' || existsSync(join(dir, 'merges.txt')))) return loadBpeVocabulary(file);
  }
  throw new ClipkitError(`${dir}: no tokenizer files; expected vocab.json + merges.txt, tokenizer.json or bpe_simple_vocab_16e6.txt.gz`);
}

function readHfVocabAndMerges(vocabPath: string, mergesPath: string, json: unknown = readJson(vocabPath)): { vocabulary: BpeVocabulary; source: string } {
  if (!existsSync(mergesPath)) throw new ClipkitError(`${vocabPath}: a vocab.json needs merges.txt beside it, and ${mergesPath} does not exist`);
  // Hugging Face's CLIPTokenizer reads `merges.strip().split('\n')[1:49152-256-2+1]`, as simple_tokenizer does.
  const merges = parseMerges(readText(mergesPath).trim(), mergesPath, MAX_OPENAI_MERGES);
  return { vocabulary: { tokens: tokensById(json, vocabPath, 'the file'), merges }, source: `${vocabPath} + ${mergesPath}` };
}

/** A Hugging Face tokenizers file: model.vocab, model.merges ("a b" or ["a", "b"]) and added_tokens. */
function tokenizerJsonVocabulary(json: Record<string, unknown>, path: string): BpeVocabulary {
  const model = json.model;
  if (!isObject(model) || model.type !== 'BPE')
    throw new ClipkitError(`${path}: model.type must be "BPE" for a CLIP tokenizer, got ${JSON.stringify(isObject(model) ? model.type : model)}`);
  if (model.end_of_word_suffix != null && model.end_of_word_suffix !== '</w>') {
    throw new ClipkitError(`${path}: model.end_of_word_suffix is ${JSON.stringify(model.end_of_word_suffix)}, but CLIP's BPE marks word ends with "</w>"`);
  }
  const vocab: Record<string, unknown> = isObject(model.vocab) ? { ...model.vocab } : {};
  for (const [i, added] of (Array.isArray(json.added_tokens) ? json.added_tokens : []).entries()) {
    if (!isObject(added) || typeof added.content !== 'string') throw new ClipkitError(`${path}: added_tokens[${i}] has no string "content"`);
    vocab[added.content] = added.id;
  }
  if (!Array.isArray(model.merges)) throw new ClipkitError(`${path}: model.merges must be an array of merges`);
  const merges = model.merges.map((merge, i) => {
    const pair = typeof merge === 'string' ? merge.split(' ') : merge;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((part) => typeof part === 'string' && part.length > 0)) {
      throw new ClipkitError(`${path}: model.merges[${i}] must be "left right" or ["left", "right"], got ${JSON.stringify(merge)}`);
    }
    return [pair[0], pair[1]] as const;
  });
  return { tokens: tokensById(vocab, path, 'model.vocab'), merges };
}

/** A token -> id object as a token array indexed by id. */
function tokensById(vocab: unknown, path: string, field: string): (string | undefined)[] {
  if (!isObject(vocab)) throw new ClipkitError(`${path}: ${field} must be an object mapping tokens to ids`);
  const tokens: (string | undefined)[] = [];
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || (id as number) < 0) throw new ClipkitError(`${path}: ${field} maps ${JSON.stringify(token)} to ${JSON.stringify(id)}, not a token id`);
    const existing = tokens[id as number];
    if (existing !== undefined && existing !== token) throw new ClipkitError(`${path}: ${field} gives id ${id} to both ${JSON.stringify(existing)} and ${JSON.stringify(token)}`);
    tokens[id as number] = token;
  }
  return tokens;
}

/** A merges list: a header line, then "left right" per line, at most `max` merges (the references' cap). */
function parseMerges(text: string, path: string, max: number): [string, string][] {
  // OpenAI's file holds 262k lines of which 48,894 are read: split only the part that is used.
  let end = -1;
  for (let line = 0; line <= max; line++) {
    end = text.indexOf('\n', end + 1);
    if (end === -1) break;
  }
  const lines = (end === -1 ? text : text.slice(0, end)).split('\n').slice(1, 1 + max);
  if (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.map((line, i) => {
    const space = line.indexOf(' ');
    if (space > 0 && line.indexOf(' ', space + 1) === -1 && !line.endsWith('\r')) return [line.slice(0, space), line.slice(space + 1)];
    const parts = line.trim().split(/\s+/); // Python's str.split() also takes other whitespace
    if (parts.length !== 2 || parts[0] === '') throw new ClipkitError(`${path}: line ${i + 2} must be a merge "left right", got ${JSON.stringify(line)}`);
    return [parts[0], parts[1]];
  });
}

function readText(path: string): string {
  if (!existsSync(path)) throw new ClipkitError(`tokenizer file not found: ${path}`);
  const data = readFileSync(path);
  const gzipped = data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
  try {
    return (gzipped ? gunzipSync(data) : data).toString('utf8');
  } catch (error) {
    throw new ClipkitError(`${path}: cannot decompress: ${(error as Error).message}`);
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readText(path));
  } catch (error) {
    if (error instanceof ClipkitError) throw error;
    throw new ClipkitError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
