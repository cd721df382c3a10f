/**
 * Every error clipkit raises on bad input derives from ClipkitError, so an app can tell user mistakes
 * (fix the config, the file, the flag) from bugs. Messages say what was wrong, where, and what to do.
 */
export class ClipkitError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem found while validating a config. */
export interface ConfigProblem {
  /** JSON path of the offending field, e.g. `model.vision.width`; `(root)` for the whole document. */
  path: string;
  /** What is wrong and what is allowed, e.g. `must be an integer >= 1`. */
  message: string;
  /** The bad value as found (undefined when the field is missing). */
  value?: unknown;
}

/** A config failed validation: lists every problem at once, each with its path, value and the allowed values. */
export class ConfigError extends ClipkitError {
  readonly problems: readonly ConfigProblem[];
  readonly source: string | undefined;

  constructor(problems: readonly ConfigProblem[], source?: string) {
    const where = source ? ` (${source})` : '';
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}${p.value === undefined ? '' : ` (got ${describeValue(p.value)})`}`);
    super(`Invalid clipkit config${where}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${lines.join('\n')}`);
    this.problems = problems;
    this.source = source;
  }
}

/** A safetensors file is malformed or does not hold what was asked for. */
export class SafetensorsError extends ClipkitError {
  constructor(
    readonly file: string,
    message: string,
    readonly tensor?: string,
  ) {
    super(`${file}${tensor === undefined ? '' : ` (tensor "${tensor}")`}: ${message}`);
  }
}

/** No plug-in was given for a config `type`; names the package that provides it. */
export class PluginNotFoundError extends ClipkitError {}

/** Weights do not fit the model: every missing, unexpected and misshaped tensor is listed. */
export class WeightsError extends ClipkitError {}

/** A value rendered for an error message: JSON when small, cut short when long. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
