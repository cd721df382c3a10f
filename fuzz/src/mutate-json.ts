import type { SeededRandom } from '@clipkit/core';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values that confuse types and bounds: what a careless or hostile config writer might put anywhere. */
const ODD_VALUES: readonly Json[] = [
  null,
  true,
  false,
  0,
  -1,
  0.5,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53,
  1e12,
  '',
  'x',
  '1e9',
  '__proto__',
  [],
  {},
  [1, 2, 3],
  { type: 'x' },
  { __proto__: null } as unknown as Json,
];

/** Every container path of a JSON value (the root included), so a mutation can target any depth. */
function containers(value: Json, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return out;
  out.push(path);
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  for (const [key, child] of entries) containers(child, [...path, key], out);
  return out;
}

function at(value: Json, path: (string | number)[]): Json {
  let node = value;
  for (const key of path) node = (node as Record<string | number, Json>)[key];
  return node;
}

/** A deep copy of `input` with `count` mutations: a value replaced by an odd one or a copy of another part, a key deleted or added, deep nesting. */
export function mutateJson(input: Json, random: SeededRandom, count = 1 + random.int(3)): { value: Json; description: string } {
  const value = structuredClone(input);
  const done: string[] = [];
  for (let n = 0; n < count; n++) {
    const paths = containers(value);
    if (paths.length === 0) return { value: ODD_VALUES[random.int(ODD_VALUES.length)], description: 'replaced the whole value' };
    const path = paths[random.int(paths.length)];
    const node = at(value, path) as Record<string | number, Json>;
    const keys = Object.keys(node);
    const key = keys.length > 0 ? keys[random.int(keys.length)] : '0';
    const where = [...path, key].join('.');
    switch (random.int(5)) {
      case 0:
      case 1: {
        const odd = ODD_VALUES[random.int(ODD_VALUES.length)];
        node[key] = structuredClone(odd);
        done.push(`${where} = ${JSON.stringify(odd)}`);
        break;
      }
      case 2:
        if (Array.isArray(node)) node.splice(Number(key), 1);
        else delete node[key];
        done.push(`deleted ${where}`);
        break;
      case 3: {
        const donor = paths[random.int(paths.length)];
        node[key] = structuredClone(at(value, donor));
        done.push(`${where} = copy of ${donor.join('.') || '(root)'}`);
        break;
      }
      default: {
        let deep: Json = 1;
        for (let d = 0; d < 2000; d++) deep = [deep];
        node[random.int(2) === 0 ? key : 'extraField'] = deep;
        done.push(`${where} = 2000 nested arrays`);
      }
    }
  }
  return { value, description: done.join('; ') };
}

export type { Json };
