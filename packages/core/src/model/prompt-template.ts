import { ClipkitError } from '../errors.js';

/**
 * A zero-shot prompt: a string whose `{}` is replaced by the class name (Python's `str.format` with one
 * positional field, as open_clip's string templates), or a function of the class name (open_clip's lambdas).
 */
export type PromptTemplate = string | ((className: string) => string);

/** The prompt for one class. */
export function fillTemplate(template: PromptTemplate, className: string): string {
  if (typeof template === 'function') return template(className);
  if (!template.includes('{}')) {
    throw new ClipkitError(`prompt template ${JSON.stringify(template)} has no "{}" where the class name goes; write e.g. "a photo of a {}."`);
  }
  return template.replaceAll('{}', className);
}
