import { describe, expect, it } from 'vitest';
import { htmlUnescape } from './html-unescape.js';

// Truth: Python 3.11's html.unescape on the same inputs (HTML5 rules). Tolerance: exact strings.

describe('htmlUnescape (Python html.unescape)', () => {
  it.each([
    ['&copy 2020', '\u00a9 2020'],
    ['&notit;', '\u00acit;'],
    ['&amp', '&'],
    ['&ampx', '&x'],
    ['&AMP;', '&'],
    ['&unknown;', '&unknown;'],
    ['AT&T', 'AT&T'],
    ['&#65', 'A'],
    ['&#x41;&#X42', 'AB'],
    ['&#128;', '\u20ac'],
    ['&#13;', '\r'],
    ['&#0;', '\ufffd'],
    ['&#xD800;', '\ufffd'],
    ['&#x110000;', '\ufffd'],
    ['&#99999999999999999999;', '\ufffd'],
    ['&#1;', ''],
    ['&#xFFFE;', ''],
    ['&#x10FFFF;', ''],
    ['&#x1F600;', '\u{1f600}'],
  ])('unescapes %j', (text, unescaped) => {
    expect(htmlUnescape(text)).toBe(unescaped);
  });
});
