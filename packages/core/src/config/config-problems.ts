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

interface ZodInternals {
  _zod: { def: { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[]; element?: z.ZodType } };
}

/** The keys the object schema at `path` allows (followed through defaults, transforms and unions by the input's `type`). */
function allowedKeys(schema: z.ZodType, path: Path, input: unknown): string[] | undefined {
  const def = (schema as unknown as ZodInternals)._zod.def;
  switch (def.type) {
    case 'object': {
      if (path.length === 0) return Object.keys(def.shape ?? {});
      const child = def.shape?.[String(path[0])];
      return child && allowedKeys(child, path.slice(1), (input as Record<string, unknown> | undefined)?.[String(path[0])]);
    }
    case 'pipe':
      return def.in && allowedKeys(def.in, path, input);
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
      return def.innerType && allowedKeys(def.innerType, path, input);
    case 'union': {
      const type = (input as { type?: unknown } | undefined)?.type;
      for (const option of def.options ?? []) {
        const keys = allowedKeys(option, [], undefined);
        const literal = ((option as unknown as ZodInternals)._zod.def.shape?.type as unknown as { value?: unknown } | undefined)?.value;
        if (keys && (literal === undefined || literal === type)) return path.length === 0 ? keys : allowedKeys(option, path, input);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

const SECTIONS: readonly SectionPath[] = ['model.vision', 'model.text', 'tokenizer', 'loss', 'backend', 'data'];

/** The message for a section `type` no given plug-in offers: the types they do offer, and the package providing this one. */
function unknownTypeMessage(section: string, offered: readonly string[], type: unknown): string {
  const allowed = `must be one of ${offered.map((t) => JSON.stringify(t)).join(', ')} (the types of the plug-ins given)`;
  const pkg = SECTIONS.includes(section as SectionPath) && typeof type === 'string' ? KNOWN_PACKAGES[section as SectionPath][type] : undefined;
  return pkg ? `${allowed}; "${type}" is provided by ${pkg}: npm install ${pkg}, and add it to the config's "plugins" if clipkit does not load it already` : allowed;
}

/** An issue with a section's `type`: no plug-in's discriminator matched, or the only plug-in's literal did not. */
function isTypeIssue(issue: z.core.$ZodIssue): boolean {
  if (issue.path.at(-1) !== 'type') return false;
  if (issue.code === 'invalid_union') return (issue as { discriminator?: string }).discriminator === 'type';
  return issue.code === 'invalid_value';
}

/** zod's issues as clipkit's config problems: a JSON path, a message saying what is allowed, the bad value. */
export function configProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, input: unknown, prefix: Path = []): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path, input);
      for (const key of issue.keys) {
        problems.push({ path: pathString([...path, key]), message: allowed ? `unknown key; allowed keys are ${allowed.join(', ')}` : 'unknown key' });
      }
    } else if (isTypeIssue(issue)) {
      const section = pathString(path.slice(0, -1));
      const offered = (issue.code === 'invalid_union' ? ((issue as { options?: unknown[] }).options ?? []) : issue.code === 'invalid_value' ? issue.values : []).map(String);
      const type = valueAt(input, issue.path);
      const message = type === undefined ? `is required: ${unknownTypeMessage(section, offered, type).replace(/^must be /, '')}` : unknownTypeMessage(section, offered, type);
      problems.push({ path: pathString(path), message, ...(type === undefined ? {} : { value: type }) });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      problems.push({ path: pathString(path), message: 'is required' });
    } else {
      problems.push({ path: pathString(path), message: issue.message, ...(issue.input === undefined ? {} : { value: issue.input }) });
    }
  }
  return problems;
}
