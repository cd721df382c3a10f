import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClipkitError } from '../errors.js';
import { writeContentAtomic } from '../io/atomic-file.js';

/** The class names and prompt templates of the zero-shot task a model was trained for. */
export interface ZeroShotPrompts {
  readonly classNames: readonly string[];
  /** Prompt templates with `{}` where the class name goes. */
  readonly templates: readonly string[];
}

/** clipkit's own file beside the weights: transformers and open_clip have no place for a model's prompts. */
export const ZERO_SHOT_PROMPTS_FILE = 'zero-shot-prompts.json';

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.length > 0);

/** Writes the prompts a model folder carries (atomically). */
export async function writeZeroShotPrompts(dir: string, prompts: ZeroShotPrompts): Promise<void> {
  await writeContentAtomic(join(dir, ZERO_SHOT_PROMPTS_FILE), `${JSON.stringify({ classNames: prompts.classNames, templates: prompts.templates }, null, 2)}\n`);
}

/** The prompts a model folder carries, or undefined when it has none. A malformed file is an error naming it. */
export function readZeroShotPrompts(dir: string): ZeroShotPrompts | undefined {
  const file = join(dir, ZERO_SHOT_PROMPTS_FILE);
  if (!existsSync(file)) return undefined;
  let json: { classNames?: unknown; templates?: unknown };
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ClipkitError(`${file}: cannot read it as JSON (${(error as Error).message}); fix or delete the file`);
  }
  if (!isStrings(json?.classNames) || !isStrings(json.templates) || !json.templates.every((t) => t.includes('{}'))) {
    throw new ClipkitError(`${file}: must hold { "classNames": [non-empty strings], "templates": [strings with {} for the class name] }; fix or delete the file`);
  }
  return { classNames: json.classNames, templates: json.templates };
}
