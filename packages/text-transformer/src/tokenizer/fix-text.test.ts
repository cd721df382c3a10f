import { describe, expect, it } from 'vitest';
import { fixEncoding } from './fix-encoding.js';
import { fixText } from './fix-text.js';

// Truth: the examples in ftfy 6.3.1's docstrings (ftfy/__init__.py, ftfy/fixes.py), each checked against
// ftfy 6.3.1 itself. Tolerance: exact strings.

describe('fixText (ftfy.fix_text)', () => {
  it.each([
    ['\u00e2\u0153\u201d No problems', '\u2714 No problems'],
    ['&macr;\\_(\u00e3\x83\x84)_/&macr;', '\u00af\\_(\u30c4)_/\u00af'],
    ['Broken text&hellip; it&#x2019;s \ufb02ubberi\ufb01c!', "Broken text\u2026 it's flubberific!"],
    ['\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33', 'LOUD NOISES'],
    ['\uff35\uff80\uff70\uff9d', 'U\u30bf\u30fc\u30f3'],
    ['\ufb02u\ufb03e\ufb06', 'fluffiest'],
    ['u\u00cc\u02c6nicode', '\u00fcnicode'],
    ['\ufeffParty like\nit&rsquo;s 1999!', "Party like\nit's 1999!"],
    ['HTML entities &lt;3', 'HTML entities <3'],
    ['P&EACUTE;REZ', 'P\u00c9REZ'],
    ['BUNDESSTRA&SZLIG;E', 'BUNDESSTRASSE'],
    ['&ntilde; &Ntilde; &NTILDE; &nTILDE;', '\u00f1 \u00d1 \u00d1 &nTILDE;'],
    ['This text was never UTF-8 at all\x85', 'This text was never UTF-8 at all\u2026'],
    ['\u00e2\u20ac\u0153 like this \u00e2\u20ac\ufffd', '" like this \ufffd'],
  ])('fixes %j', (text, fixed) => {
    expect(fixText(text)).toBe(fixed);
  });

  it('leaves entities alone once a line holds a "<" (the text may be HTML), in that line and the lines after it', () => {
    expect(fixText('<em>HTML entities &lt;3</em>')).toBe('<em>HTML entities &lt;3</em>');
    expect(fixText('a &amp; b\n<p>\nc &amp; d')).toBe('a & b\n<p>\nc &amp; d');
  });

  it('keeps text that only looks odd', () => {
    expect(fixText('not such a fan of Charlotte Bront\u00eb\u2026\u201d')).toBe('not such a fan of Charlotte Bront\u00eb\u2026"');
    expect(fixText('AH\u00c5\u2122, the new sofa from IKEA\u00ae')).toBe('AH\u00c5\u2122, the new sofa from IKEA\u00ae');
  });
});

describe('fixEncoding (ftfy.fix_encoding)', () => {
  it.each([
    ['s\u00c3\u00b3', 's\u00f3'],
    ['voil\u00c3 le travail', 'voil\u00e0 le travail'],
    ['sch\u00c3\u00b6n', 'sch\u00f6n'],
    ['This \u00e2\u20ac\u201d should be an em dash', 'This \u2014 should be an em dash'],
    ['\u00c3\u00a0\u00c2\u00b2\u00c2\u00a0_\u00c3\u00a0\u00c2\u00b2\u00c2\u00a0', '\u0ca0_\u0ca0'],
    ['&ATILDE;&SUP3;', '&ATILDE;&SUP3;'],
  ])('fixes %j', (text, fixed) => {
    expect(fixEncoding(text)).toBe(fixed);
  });
});
