import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanText } from './clean-text.js';
import { fixText } from './fix-text.js';
import { preTokenize } from './pre-tokenize.js';

// Truth: testdata/cleaning-cases.jsonl, 300 random stress texts run through ftfy 6.3.1, html.unescape and the
// regex module by scripts/generate-cleaning-cases.py. Tolerance: exact strings and word lists.

interface CleaningCase {
  text: string;
  fixed: string;
  cleaned: string;
  words: string[];
}

const CASES: CleaningCase[] = readFileSync(new URL('testdata/cleaning-cases.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as CleaningCase);

describe('cleanText on stress texts', () => {
  it('reproduces ftfy.fix_text on every text', () => {
    expect(CASES.length).toBe(300);
    for (const c of CASES) expect({ text: c.text, fixed: fixText(c.text) }).toEqual({ text: c.text, fixed: c.fixed });
  });

  it('reproduces the whole cleaning and the split on every text', () => {
    for (const c of CASES) {
      expect({ text: c.text, cleaned: cleanText(c.text) }).toEqual({ text: c.text, cleaned: c.cleaned });
      expect(preTokenize(c.cleaned)).toEqual(c.words);
    }
  });
});
