import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { ClipConfig, ModelConfig } from './clip-config.js';
import { clipConfigField, modelConfigField } from './clip-config-schema.js';
import type { Field } from './fields.js';
import { hfClipModelConfigField, isHfClipConfig } from './hf-clip-model-config.js';
import { isOpenClipModelConfig, openClipModelConfigField } from './open-clip-model-config.js';

/** A `model` section in any of the three formats users have: clipkit's, open_clip's, or a Hugging Face config.json. */
export const anyModelConfigField: Field<ModelConfig> = {
  parse(value, path, problems) {
    if (isOpenClipModelConfig(value)) return openClipModelConfigField.parse(value, path, problems);
    if (isHfClipConfig(value)) return hfClipModelConfigField.parse(value, path, problems);
    return modelConfigField.parse(value, path, problems);
  },
};

function parseWith<T>(field: Field<T>, json: unknown, source: string | undefined): T {
  const problems: ConfigProblem[] = [];
  const parsed = field.parse(json, '', problems);
  if (problems.length > 0 || parsed === undefined) throw new ConfigError(problems, source);
  return parsed;
}

/**
 * Validates a JSON config and fills every default. Throws one ConfigError listing every problem.
 * @param source where the JSON came from (a file name), quoted in the error.
 */
export function parseClipConfig(json: unknown, source?: string): ClipConfig {
  return parseWith(clipConfigField(anyModelConfigField), json, source);
}

/** Validates a `model` section alone (clipkit, open_clip or Hugging Face form). */
export function parseModelConfig(json: unknown, source?: string): ModelConfig {
  return parseWith(anyModelConfigField, json, source);
}

/** Reads a JSON file and parses it with `parse`; unreadable files and bad JSON are ConfigErrors naming the file. */
export function readJsonConfig<T>(file: string, parse: (json: unknown, source: string) => T): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: '(root)', message: `cannot read the file: ${(error as Error).message}` }], file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ path: '(root)', message: `is not valid JSON: ${(error as Error).message}` }], file);
  }
  return parse(json, file);
}

/**
 * Reads and validates a clipkit config file. Relative paths in it (tokenizer.path, data.path) are taken
 * relative to the file's folder, as tsconfig and package.json paths are, so a config works from any
 * working directory.
 */
export function readClipConfig(file: string): ClipConfig {
  const config = readJsonConfig(file, parseClipConfig);
  const near = (path: string) => (isAbsolute(path) ? path : resolve(dirname(file), path));
  const tokenizer = config.tokenizer.path === null ? config.tokenizer : { ...config.tokenizer, path: near(config.tokenizer.path) };
  const data = 'path' in config.data ? { ...config.data, path: near(config.data.path) } : config.data;
  return { ...config, tokenizer, data };
}
