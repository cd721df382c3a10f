import { readFileSync } from 'node:fs';
import { SeededRandom } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { canonicalizeText, pythonLowerEachChar, pythonLstrip, pythonRstrip } from './python-text.js';
import { testdataPath } from './testdata.test-support.js';

// Truth: testdata/python-text.json, Python 3.11's own str.lower() of every code point and its str.isspace()
// set (which `re`'s \s matches in str patterns); canonicalize_text's steps worked by hand.

const PYTHON = JSON.parse(readFileSync(testdataPath('python-text.json'), 'utf8')) as { lower: Record<string, string>; isspace: number[] };
const SPACES = new Set(PYTHON.isspace);

function* codePoints(): Generator<number> {
  for (let cp = 0; cp < 0x110000; cp++) if (cp < 0xd800 || cp > 0xdfff) yield cp;
}

describe('pythonLowerEachChar', () => {
  it("lowercases every code point as Python 3.11's str.lower() does", () => {
    const wrong: string[] = [];
    for (const cp of codePoints()) {
      const char = String.fromCodePoint(cp);
      if (pythonLowerEachChar(char) !== (PYTHON.lower[cp] ?? char)) wrong.push(cp.toString(16));
    }
    expect(wrong).toEqual([]);
  });

  it("lowercases random mixed text as Python's str.lower() of each character", () => {
    const rng = new SeededRandom(3);
    const pool = ['Σ', 'ΑΣ ', 'İ', '\ua7cb', '\u{10d50}', 'ǅ', 'ẞ', 'A', ' ', '\ud800', ...'ÀΩЖꙀᲐⰀ'];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: rng.int(12) }, () => (rng.int(3) === 0 ? String.fromCodePoint(rng.int(0x30000)) : pool[rng.int(pool.length)])).join('');
      const python = [...text].map((char) => PYTHON.lower[char.codePointAt(0)!] ?? char).join('');
      expect({ text, lowered: pythonLowerEachChar(text) }).toEqual({ text, lowered: python });
    }
  });

  it('lowercases each character alone: Σ is σ even at the end of a word, İ is i + combining dot', () => {
    expect(pythonLowerEachChar('ΟΔΟΣ ΣΑΣ')).toBe('οδοσ σασ');
    expect(pythonLowerEachChar('İSTANBUL')).toBe('i\u0307stanbul');
    expect(pythonLowerEachChar('A\ud800B')).toBe('a\ud800b');
  });
});

describe('canonicalizeText', () => {
  it("collapses exactly Python's whitespace (str.isspace, re's \\s) and strips it at both ends", () => {
    const wrong: string[] = [];
    for (const cp of codePoints()) {
      const char = String.fromCodePoint(cp);
      if (/[!-/:-@[-`{-~]/.test(char)) continue;
      const expected = SPACES.has(cp) ? ['a b', 'a', 'a'] : [`a${char}${char}b`, `${char}a`, `a${char}`];
      const got = [canonicalizeText(`a${char}${char}b`), canonicalizeText(`${char}a`), canonicalizeText(`a${char}`)];
      if (JSON.stringify(got) !== JSON.stringify(expected)) wrong.push(cp.toString(16));
    }
    expect(wrong).toEqual([]);
  });

  it('removes the 32 characters of string.punctuation and nothing else (fullwidth ones stay)', () => {
    expect(canonicalizeText('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')).toBe('');
    expect(canonicalizeText('Hello, World! ！？ «ok» — ‘q’')).toBe('Hello World ！？ «ok» — ‘q’');
    expect(canonicalizeText(' a . b\u3000\u2028c\x1c ')).toBe('a b c');
  });

  it('strips runs of a million spaces', () => {
    const spaces = ' '.repeat(1_000_000);
    expect(pythonRstrip(`${spaces}x${spaces}`)).toBe(`${spaces}x`);
    expect(pythonLstrip(`${spaces}x${spaces}`)).toBe(`x${spaces}`);
  });
});
