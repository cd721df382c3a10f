import { type ConfigProblem, z } from '@clipkit/core';

export interface ReadForeignConfigOptions {
  /** Read keys whose value is null as absent (transformers writes unset options as null). Default false. */
  nullIsAbsent?: boolean;
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

/**
 * A tower's part of a foreign model config (open_clip's `vision_cfg` / `text_cfg`, a transformers
 * `vision_config` / `text_config`), read with a zod schema of that format's keys and defaults. Every problem
 * is pushed with its path relative to the part (core prefixes where the part sits); returns undefined after
 * a problem. A strict schema's unknown keys are problems that list the keys the format has.
 */
export function readForeignConfig<S extends z.ZodObject>(
  schema: S,
  json: Readonly<Record<string, unknown>>,
  problems: ConfigProblem[],
  options: ReadForeignConfigOptions = {},
): z.output<S> | undefined {
  const input = options.nullIsAbsent ? Object.fromEntries(Object.entries(json).filter(([, value]) => value !== null)) : json;
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = Object.keys(schema.shape).join(', ');
      for (const key of issue.keys) problems.push({ path: pathOf([...issue.path, key]), message: `unknown key; allowed keys are ${allowed}` });
    } else {
      problems.push({ path: pathOf(issue.path), message: issue.message, ...(issue.input === undefined ? {} : { value: issue.input }) });
    }
  }
  return undefined;
}

/**
 * A foreign option that changes the maths in a way clipkit does not implement: accepted only at its default
 * `value` (absent means the default), so a config clipkit cannot honour fails instead of loading into a
 * different model.
 */
export function onlyDefault<T>(value: T, feature: string): z.ZodDefault<z.ZodUnknown> {
  const expected = JSON.stringify(value);
  return z
    .unknown()
    .refine((v) => JSON.stringify(v) === expected, { message: `clipkit supports only ${expected} here (${feature} is not implemented)` })
    .default(value);
}
