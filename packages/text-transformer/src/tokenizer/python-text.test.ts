import { describe, expect, it } from 'vitest';
import { collapseWhitespace, pythonLower, pythonNfc, pythonStrip } from './python-text.js';

// Truth: Python 3.11 (Unicode 14.0) str.lower(), str.strip(), unicodedata.normalize('NFC') and the regex
// module's \s, on the same inputs. Tolerance: exact strings.

describe('Python string semantics', () => {
  it('lowercases as str.lower(): final sigma, dotted I, and letters Unicode 14.0 has no case for', () => {
    expect(pythonLower('A\u03a3 b \u03a3')).toBe('a\u03c2 b \u03c3');
    expect(pythonLower('\u0130stanbul')).toBe('i\u0307stanbul');
    expect(pythonLower('\ua7cb\u1c89A\u03a3')).toBe('\ua7cb\u1c89a\u03c2');
    expect(pythonLower('A\u03a3\u1acfb')).toBe('a\u03c2\u1acfb');
  });

  it('strips str.isspace() characters (U+001C..U+001F included, U+FEFF not)', () => {
    expect(pythonStrip('\x1c\x1f a \u3000\x85')).toBe('a');
    expect(pythonStrip('\ufeffa\ufeff')).toBe('\ufeffa\ufeff');
  });

  it("collapses the regex module's \\s (U+0085 included, U+001C and U+FEFF not) and strips", () => {
    expect(collapseWhitespace('a\x85\u2003b\ufeffc\x1cd')).toBe('a b\ufeffc\x1cd');
    expect(collapseWhitespace('\x1c a  b\t')).toBe('a b');
  });

  it('normalizes to NFC but neither reorders nor composes around combining marks newer than Unicode 14.0', () => {
    expect(pythonNfc('e\u0301')).toBe('\u00e9');
    expect(pythonNfc('\u0300\u1ae9\u0354')).toBe('\u0300\u1ae9\u0354');
    expect(pythonNfc('\u{16d67}\u{16d67} \u{16d68} \u{105d2}\u0323\u0307')).toBe('\u{16d67}\u{16d67} \u{16d68} \u{105d2}\u0323\u0307');
  });
});
