import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClipkitError } from '../errors.js';
import { readZeroShotPrompts, writeZeroShotPrompts, ZERO_SHOT_PROMPTS_FILE } from './zero-shot-prompts.js';

describe('zero-shot prompts of a model folder', () => {
  it('reads back what was written, and nothing from a folder without the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-prompts-'));
    expect(readZeroShotPrompts(dir)).toBeUndefined();
    await writeZeroShotPrompts(dir, { classNames: ['cat', 'dog'], templates: ['a photo of a {}.'] });
    expect(readZeroShotPrompts(dir)).toEqual({ classNames: ['cat', 'dog'], templates: ['a photo of a {}.'] });
  });

  it('refuses a malformed file, naming it and the form it must have', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-prompts-'));
    const file = join(dir, ZERO_SHOT_PROMPTS_FILE);
    for (const content of ['{"classNames": ["a"], "templates": ["no slot"]}', '{"classNames": [], "templates": ["a {}"]}', '[1, 2]', 'not json']) {
      writeFileSync(file, content);
      expect(() => readZeroShotPrompts(dir)).toThrow(ClipkitError);
      expect(() => readZeroShotPrompts(dir)).toThrow(file);
    }
  });
});
