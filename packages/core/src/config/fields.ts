import type { ConfigProblem } from '../errors.js';

/**
 * A tiny validator for JSON configs. Unlike a generic schema library it reports every problem at once
 * with its JSON path, the bad value and the allowed values, and it rejects unknown keys (typo protection).
 * Each field either parses a present value or, when the key is absent, supplies its documented default.
 */
export interface Field<T> {
  /** Parses a present value; returns undefined after recording a problem. */
  parse(value: unknown, path: string, problems: ConfigProblem[]): T | undefined;
  /** The value used when the key is absent; a field without one is required. */
  readonly fallback?: () => T;
}

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** The field with a default, used when its key is absent. */
export function withDefault<T>(field: Field<T>, value: T | (() => T)): Field<T> {
  const fallback = typeof value === 'function' ? (value as () => T) : () => structuredClone(value);
  return { parse: field.parse, fallback };
}

export function numberField(options: { min?: number; max?: number; above?: number; integer?: boolean } = {}): Field<number> {
  const { min, max, above, integer = false } = options;
  const rules = [integer ? 'an integer' : 'a number', min !== undefined ? `>= ${min}` : '', above !== undefined ? `> ${above}` : '', max !== undefined ? `<= ${max}` : ''].filter(
    Boolean,
  );
  const expected = `must be ${rules.join(' ')}`;
  return {
    parse(value, path, problems) {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!integer || Number.isInteger(value)) &&
        (min === undefined || value >= min) &&
        (above === undefined || value > above) &&
        (max === undefined || value <= max);
      if (ok) return value as number;
      problems.push({ path, message: expected, value });
      return undefined;
    },
  };
}

export function integerField(options: { min?: number; max?: number } = {}): Field<number> {
  return numberField({ ...options, integer: true });
}

export function stringField(options: { nonEmpty?: boolean } = {}): Field<string> {
  return {
    parse(value, path, problems) {
      if (typeof value === 'string' && (!options.nonEmpty || value.length > 0)) return value;
      problems.push({ path, message: options.nonEmpty ? 'must be a non-empty string' : 'must be a string', value });
      return undefined;
    },
  };
}

export function booleanField(): Field<boolean> {
  return {
    parse(value, path, problems) {
      if (typeof value === 'boolean') return value;
      problems.push({ path, message: 'must be true or false', value });
      return undefined;
    },
  };
}

export function oneOf<const V extends readonly (string | number)[]>(values: V): Field<V[number]> {
  const allowed = values.map((v) => JSON.stringify(v)).join(', ');
  return {
    parse(value, path, problems) {
      if ((values as readonly unknown[]).includes(value)) return value as V[number];
      problems.push({ path, message: `must be one of ${allowed}`, value });
      return undefined;
    },
  };
}

/** A field that also accepts null (documented as "null: ..." on the typed field). */
export function nullable<T>(field: Field<T>): Field<T | null> {
  return {
    parse(value, path, problems) {
      return value === null ? null : field.parse(value, path, problems);
    },
  };
}

export function listField<T>(item: Field<T>, options: { minLength?: number; maxLength?: number } = {}): Field<T[]> {
  const { minLength = 0, maxLength = Infinity } = options;
  return {
    parse(value, path, problems) {
      if (!Array.isArray(value) || value.length < minLength || value.length > maxLength) {
        const size = maxLength === minLength ? `${minLength}` : maxLength === Infinity ? `at least ${minLength}` : `${minLength} to ${maxLength}`;
        problems.push({ path, message: `must be a list of ${size} item${maxLength === 1 ? '' : 's'}`, value });
        return undefined;
      }
      const before = problems.length;
      const parsed = value.map((v, i) => item.parse(v, childPath(path, i), problems));
      return problems.length === before ? (parsed as T[]) : undefined;
    },
  };
}

export type ObjectFields<T> = { [K in keyof T]-?: Field<T[K]> };

/**
 * A JSON object with exactly these keys (absent keys take their defaults, unknown keys are problems).
 * `finish` fills defaults that depend on other fields and checks rules between fields.
 */
export function objectField<T extends object>(fields: ObjectFields<T>, finish?: (value: T, path: string, problems: ConfigProblem[]) => T): Field<T> {
  const keys = Object.keys(fields) as (keyof T & string)[];
  return {
    parse(value, path, problems) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push({ path: path || '(root)', message: 'must be a JSON object', value });
        return undefined;
      }
      const before = problems.length;
      const input = value as Record<string, unknown>;
      for (const key of Object.keys(input)) {
        if (!keys.includes(key as keyof T & string)) {
          problems.push({ path: childPath(path, key), message: `unknown key; allowed keys are ${keys.join(', ')}` });
        }
      }
      const out = {} as T;
      for (const key of keys) {
        const field = fields[key] as Field<unknown>;
        const keyPath = childPath(path, key);
        if (input[key] === undefined) {
          if (field.fallback) out[key] = field.fallback() as T[typeof key];
          else problems.push({ path: keyPath, message: 'is required' });
        } else {
          out[key] = field.parse(input[key], keyPath, problems) as T[typeof key];
        }
      }
      if (problems.length !== before) return undefined;
      return finish ? finish(out, path, problems) : out;
    },
  };
}

/** A union of objects told apart by their `type` field. */
export function taggedUnion<T extends { type: string }>(variants: { [K in T['type']]: Field<Extract<T, { type: K }>> }): Field<T> {
  const names = Object.keys(variants);
  const allowed = names.map((n) => JSON.stringify(n)).join(', ');
  return {
    parse(value, path, problems) {
      const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
      if (typeof type !== 'string' || !names.includes(type)) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          problems.push({ path, message: `must be a JSON object with a "type" (one of ${allowed})`, value });
        } else {
          problems.push({ path: childPath(path, 'type'), message: type === undefined ? `is required: one of ${allowed}` : `must be one of ${allowed}`, value: type });
        }
        return undefined;
      }
      return (variants as Record<string, Field<T>>)[type].parse(value, path, problems);
    },
  };
}
