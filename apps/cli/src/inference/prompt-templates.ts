import { readFileSync } from 'node:fs';
import { ClipkitError, fillTemplate, type LoadedClip, OPENAI_IMAGENET_TEMPLATES, readZeroShotPrompts, type ZeroShotPrompts } from '@clipkit/core';

/** --templates openai: OpenAI's 80 ImageNet templates. */
const OPENAI_PRESET = 'openai';

/** A templates file: one prompt per line with {} for the class name; blank lines are skipped. */
function readTemplatesFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ClipkitError(`--templates ${file}: cannot read the file (${(error as Error).message}); give a text file with one prompt per line, or "openai"`);
  }
  const templates = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (templates.length === 0) throw new ClipkitError(`--templates ${file} holds no prompts; write one per line with {} for the class name, e.g. "a photo of a {}."`);
  for (const template of templates) {
    try {
      fillTemplate(template, 'x');
    } catch (error) {
      throw new ClipkitError(`--templates ${file}: ${(error as Error).message}`);
    }
  }
  return templates;
}

/** The prompts --template / --templates give: a file's lines, "openai"'s 80, and each --template; undefined when none is given. */
export function givenTemplates(options: { template?: readonly string[]; templates?: string }): string[] | undefined {
  const { templates } = options;
  const from = templates === undefined ? [] : templates === OPENAI_PRESET ? [...OPENAI_IMAGENET_TEMPLATES] : readTemplatesFile(templates);
  const all = [...from, ...(options.template ?? [])];
  return all.length > 0 ? all : undefined;
}

/** The prompts a model carries (zero-shot-prompts.json of its folder: the templates and classes it was evaluated with). */
export function modelPrompts(loaded: LoadedClip): ZeroShotPrompts | undefined {
  return readZeroShotPrompts(loaded.directory.dir);
}

/** The templates to prompt a model with: those given, else the model's own, else OpenAI's ImageNet templates. */
export function chooseTemplates(given: readonly string[] | undefined, loaded: LoadedClip): readonly string[] {
  return given ?? modelPrompts(loaded)?.templates ?? OPENAI_IMAGENET_TEMPLATES;
}
