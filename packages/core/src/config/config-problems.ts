import type { z } from 'zod';
import { KNOWN_PACKAGES } from '../di/known-packages.js';
import type { SectionPath } from '../di/slots.js';
import type { ConfigProblem } from '../errors.js';

type Path = readonly PropertyKey[];

function pathString(path: Path): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out || '(root)';
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  element?: z.ZodType;
  items?: z.ZodType[];
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The `type` values a schema accepts (what discriminated unions tell their options apart by). */
function typesOf(schema: z.ZodType): unknown[] {
  const values = (schema as unknown as { _zod: { propValues?: Record<string, Set<unknown>> } })._zod.propValues?.type;
  return values ? [...values] : [];
}

/**
 * The schema that checks `value`, with the wrappers that do not change its shape (defaults, transforms,
 * nullable) taken off, and a union narrowed to the option for the value's `type`. `nullable` records that
 * null is also allowed.
 */
function unwrap(schema: z.ZodType, value: unknown): { schema: z.ZodType; nullable: boolean } {
  let nullable = false;
  for (;;) {
    const def = defOf(schema);
    if (def.type === 'nullable') nullable = true;
    if (def.type === 'pipe' && def.in) schema = def.in;
    else if (['default', 'prefault', 'optional', 'nullable', 'readonly'].includes(def.type) && def.innerType) schema = def.innerType;
    else if (def.type === 'union' && def.options) {
      const type = (value as { type?: unknown } | undefined)?.type;
      const option = def.options.find((o) => typesOf(o).includes(type));
      if (!option) return { schema, nullable };
      schema = option;
    } else return { schema, nullable };
  }
}

/** The schema of the value at `path` of `input`, unwrapped, or undefined where the schema does not say. */
function schemaAt(root: z.ZodType, path: Path, input: unknown): { schema: z.ZodType; nullable: boolean } | undefined {
  let value = input;
  let node = unwrap(root, value);
  for (const key of path) {
    const def = defOf(node.schema);
    const child = def.type === 'object' ? def.shape?.[String(key)] : def.type === 'array' ? def.element : def.type === 'tuple' ? def.items?.[Number(key)] : undefined;
    if (!child) return undefined;
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
    node = unwrap(child, value);
  }
  return node;
}

/** The keys the object schema at `path` allows (of the variant the input's `type` chose). */
function allowedKeys(schema: z.ZodType, path: Path, input: unknown): string[] | undefined {
  const node = schemaAt(schema, path, input);
  const def = node && defOf(node.schema);
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : undefined;
}

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

const SECTIONS: readonly SectionPath[] = ['model.vision', 'model.text', 'tokenizer', 'loss', 'backend', 'data'];
const quoted = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** The message for a section `type` no given plug-in offers: the types they do offer, and the package providing this one. */
function unknownTypeMessage(section: SectionPath, offered: readonly unknown[], type: unknown): string {
  const allowed = `must be one of ${quoted(offered)} (the types of the plug-ins given)`;
  const pkg = typeof type === 'string' ? KNOWN_PACKAGES[section][type] : undefined;
  return pkg ? `${allowed}; "${type}" is provided by ${pkg}: npm install ${pkg}, and add it to the config's "plugins" if clipkit does not load it already` : allowed;
}

/** The section whose `type` an issue is about: no plug-in's discriminator matched. */
function typeIssueSection(issue: z.core.$ZodIssue): SectionPath | undefined {
  if (issue.code !== 'invalid_union' || (issue as { discriminator?: string }).discriminator !== 'type') return undefined;
  const section = pathString(issue.path.slice(0, -1));
  return SECTIONS.find((s) => s === section);
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a JSON object',
};

/** What an issue says is allowed, in clipkit's words ("must be >= 1"); zod's own message for the rest. */
function allowedMessage(issue: z.core.$ZodIssue, schema: z.ZodType, input: unknown): string {
  const node = schemaAt(schema, issue.path, input);
  const orNull = node?.nullable ? ' or null' : '';
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      if (issue.origin === 'array' || issue.origin === 'string') {
        const unit = issue.origin === 'array' ? 'items' : 'characters';
        if (issue.origin === 'string' && issue.code === 'too_small' && bound === 1) return 'must not be empty';
        return `must have ${issue.exact ? 'exactly' : issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} ${unit}`;
      }
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return `must be ${op} ${bound}${orNull}`;
    }
    case 'invalid_type': {
      const what = TYPE_NAMES[issue.expected];
      if (!what) return issue.message;
      const section = SECTIONS.find((s) => s === pathString(issue.path));
      if (issue.expected === 'object' && section && node) {
        const types = defOf(node.schema).type === 'union' ? (defOf(node.schema).options ?? []).flatMap(typesOf) : typesOf(node.schema);
        return `must be a JSON object with a "type"${types.length > 0 ? ` (one of ${quoted(types)})` : ''}`;
      }
      return `must be ${what}${orNull}`;
    }
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${quoted(issue.values)}`}${orNull}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return issue.message;
  }
}

/** zod's issues as clipkit's config problems: a JSON path, a message saying what is allowed, the bad value. */
export function configProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, input: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = pathString(issue.path);
    const section = typeIssueSection(issue);
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path, input);
      for (const key of issue.keys) {
        problems.push({ path: pathString([...issue.path, key]), message: allowed ? `unknown key; allowed keys are ${allowed.join(', ')}` : 'unknown key' });
      }
    } else if (section) {
      const offered = (issue as { options?: unknown[] }).options ?? [];
      const type = valueAt(input, issue.path);
      const message = type === undefined ? `is required: one of ${quoted(offered)} (the types of the plug-ins given)` : unknownTypeMessage(section, offered, type);
      problems.push({ path, message, ...(type === undefined ? {} : { value: type }) });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      problems.push({ path, message: 'is required' });
    } else {
      problems.push({ path, message: allowedMessage(issue, schema, input), ...(issue.input === undefined ? {} : { value: issue.input }) });
    }
  }
  return problems;
}
