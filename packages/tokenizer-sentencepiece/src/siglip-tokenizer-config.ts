import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import type { AddedToken, SiglipTokenizerOptions } from './siglip-tokenizer.js';

/**
 * SiglipTokenizer's options from a model directory's tokenizer_config.json and special_tokens_map.json (as
 * transformers' from_pretrained reads them): do_lower_case, model_max_length, clean_up_tokenization_spaces,
 * eos/unk/pad and additional special tokens (special_tokens_map.json overriding tokenizer_config.json), with
 * the lstrip/rstrip of the added_tokens_decoder entry of the same content. Missing files or fields keep
 * SiglipTokenizer's defaults. A model_max_length that is not a safe integer (transformers writes 1e30 for
 * "no limit") keeps the default 64.
 */
export function readSiglipTokenizerConfig(dir: string): SiglipTokenizerOptions {
  const configPath = join(dir, 'tokenizer_config.json');
  const mapPath = join(dir, 'special_tokens_map.json');
  const config = existsSync(configPath) ? readJsonObject(configPath) : {};
  const map = existsSync(mapPath) ? readJsonObject(mapPath) : {};
  const field = <T>(path: string, json: Record<string, unknown>, key: string, check: (value: unknown) => value is T, expected: string): T | undefined => {
    const value = json[key];
    if (value === undefined || value === null) return undefined;
    if (!check(value)) throw new ClipkitError(`${path}: ${key} must be ${expected}, got ${JSON.stringify(value)}`);
    return value;
  };

  const flags = new Map<string, AddedToken>();
  const decoder = field(configPath, config, 'added_tokens_decoder', isObject, 'an object mapping ids to added tokens') ?? {};
  for (const [id, token] of Object.entries(decoder)) flags.set(...entry(token, `${configPath}: added_tokens_decoder["${id}"]`));
  const special = (key: string): string | AddedToken | undefined => {
    const fromMap = map[key] === undefined || map[key] === null ? undefined : readToken(map[key], `${mapPath}: ${key}`);
    const token = fromMap ?? (config[key] === undefined || config[key] === null ? undefined : readToken(config[key], `${configPath}: ${key}`));
    return token === undefined ? undefined : (flags.get(typeof token === 'string' ? token : token.content) ?? token);
  };
  const additional = map.additional_special_tokens ?? config.additional_special_tokens;
  if (additional !== undefined && additional !== null && !Array.isArray(additional)) {
    throw new ClipkitError(`${configPath}: additional_special_tokens must be a list of tokens, got ${JSON.stringify(additional)}`);
  }

  const modelMaxLength = field(configPath, config, 'model_max_length', (v): v is number => typeof v === 'number', 'a number');
  return {
    doLowerCase: field(configPath, config, 'do_lower_case', isBoolean, 'true or false'),
    modelMaxLength: modelMaxLength !== undefined && Number.isSafeInteger(modelMaxLength) ? modelMaxLength : undefined,
    cleanUpTokenizationSpaces: field(configPath, config, 'clean_up_tokenization_spaces', isBoolean, 'true or false'),
    eosToken: special('eos_token'),
    unkToken: special('unk_token'),
    padToken: special('pad_token'),
    additionalSpecialTokens: (additional ?? []).map((token: unknown, i: number) => {
      const read = readToken(token, `${configPath}: additional_special_tokens[${i}]`);
      return flags.get(typeof read === 'string' ? read : read.content) ?? read;
    }),
  };
}

/** A token as transformers saves it: its content, or an AddedToken object (content, lstrip, rstrip, ...). */
function readToken(token: unknown, where: string): string | AddedToken {
  return typeof token === 'string' ? token : entry(token, where)[1];
}

function entry(token: unknown, where: string): [string, AddedToken] {
  if (!isObject(token) || typeof token.content !== 'string') throw new ClipkitError(`${where} must be a string or an object with a string "content"`);
  return [token.content, { content: token.content, lstrip: token.lstrip === true, rstrip: token.rstrip === true }];
}

function readJsonObject(path: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ClipkitError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new ClipkitError(`${path}: expected a JSON object`);
  return json;
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
