import { type ConfigProblem, z } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { onlyDefault, readForeignConfig } from './read-foreign-config.js';

const cfgSchema = z.strictObject({
  width: z.int().min(1).default(512),
  ratio: z.number().gt(0).default(4),
  pool: onlyDefault('argmax', 'other pooling'),
});

function read(json: Record<string, unknown>, options = {}) {
  const problems: ConfigProblem[] = [];
  return { value: readForeignConfig(cfgSchema, json, problems, options), problems };
}

describe('readForeignConfig', () => {
  it("fills the format's defaults", () => {
    expect(read({ width: 64 })).toEqual({ value: { width: 64, ratio: 4, pool: 'argmax' }, problems: [] });
  });

  it('reports every problem with its path and value, and unknown keys with the keys the format has', () => {
    expect(read({ width: 0, pool: 'mean', widht: 3 })).toEqual({
      value: undefined,
      problems: [
        { path: 'width', message: expect.stringContaining('>=1'), value: 0 },
        { path: 'pool', message: 'clipkit supports only "argmax" here (other pooling is not implemented)', value: 'mean' },
        { path: 'widht', message: 'unknown key; allowed keys are width, ratio, pool' },
      ],
    });
  });

  it('reads null as absent when asked (transformers writes unset options as null)', () => {
    expect(read({ ratio: null }).problems).toEqual([expect.objectContaining({ path: 'ratio', value: null })]);
    expect(read({ ratio: null }, { nullIsAbsent: true }).value).toEqual({ width: 512, ratio: 4, pool: 'argmax' });
  });
});
