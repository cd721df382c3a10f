import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import type { AnyClipPlugin } from '../di/plugin.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { modelMemoryProblems } from './check-model-memory.js';
import type { ClipConfig, PluginSection } from './clip-config.js';
import { composeConfigSchema } from './compose-config-schema.js';
import { configProblems } from './config-problems.js';
import { isHfModelConfig, readHfModelConfig } from './hf-model-config.js';
import { asJsonObject, isOpenClipModelConfig, readOpenClipModelConfig } from './open-clip-model-config.js';

/** The `model` section in clipkit's form: open_clip's and Hugging Face's are converted by the tower plug-ins' formats. */
function clipkitModelSection(model: unknown, plugins: readonly AnyClipPlugin[], problems: ConfigProblem[]): unknown {
  const json = asJsonObject(model);
  if (json && isOpenClipModelConfig(json)) return readOpenClipModelConfig(json, plugins, problems, 'model');
  if (json && isHfModelConfig(json)) return readHfModelConfig(json, plugins, problems, 'model');
  return model;
}

/** Options of parseClipConfig. */
export interface ParseClipConfigOptions {
  /**
   * Check that a training step fits this machine (modelMemoryProblems). Default: when the JSON has a `train`
   * section; a model folder's or an evaluation's config says false (its train section is a record of the past).
   */
  readonly training?: boolean;
}

/**
 * Validates a JSON config against the schemas the plug-ins declare and fills every default, then checks that
 * the model (and with `training` a training step) fits this machine. Throws one ConfigError listing every
 * problem with its JSON path, the bad value and what is allowed.
 * @param source where the JSON came from (a file name), quoted in the error.
 */
export function parseClipConfig(json: unknown, plugins: readonly AnyClipPlugin[], source?: string, options: ParseClipConfigOptions = {}): ClipConfig {
  const problems: ConfigProblem[] = [];
  const root = asJsonObject(json);
  const input = root && 'model' in root ? { ...root, model: clipkitModelSection(root.model, plugins, problems) } : json;
  if (problems.length > 0) throw new ConfigError(problems, source);
  const schema = composeConfigSchema(plugins);
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw new ConfigError(configProblems(result.error.issues, schema as z.ZodType, input), source);
  const memory = modelMemoryProblems(result.data, plugins, options.training ?? (root !== undefined && 'train' in root));
  if (memory.length > 0) throw new ConfigError(memory, source);
  return result.data;
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

/** A section whose `path` (a file or folder: tokenizer.path, data.path) is taken relative to `base`. */
function withPathFrom<S extends PluginSection>(section: S, base: string): S {
  const path = section.path;
  return typeof path === 'string' && !isAbsolute(path) ? { ...section, path: resolve(base, path) } : section;
}

/**
 * Reads and validates a clipkit config file. A section's `path` field (tokenizer.path, data.path: the one
 * convention for file locations in sections) is taken relative to the file's folder, as tsconfig and
 * package.json paths are, so a config works from any working directory.
 */
export function readClipConfig(file: string, plugins: readonly AnyClipPlugin[]): ClipConfig {
  const config = readJsonConfig(file, (json, source) => parseClipConfig(json, plugins, source));
  return resolveSectionPaths(config, dirname(file));
}

/** The config with every section's relative `path` resolved against `base`. */
export function resolveSectionPaths(config: ClipConfig, base: string): ClipConfig {
  const model = { ...config.model, vision: withPathFrom(config.model.vision, base), text: withPathFrom(config.model.text, base) };
  return { ...config, model, tokenizer: withPathFrom(config.tokenizer, base), loss: withPathFrom(config.loss, base), data: withPathFrom(config.data, base) };
}

/** The `plugins` a config file names, read before the config can be validated (they declare its schema). */
export function readConfigPluginNames(file: string): string[] {
  return readJsonConfig(file, (json) => {
    const plugins = asJsonObject(json)?.plugins;
    return Array.isArray(plugins) ? plugins.filter((p): p is string => typeof p === 'string') : [];
  });
}
