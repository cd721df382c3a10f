import { describe, expect, it } from 'vitest';
import { parseDelimited } from './parse-delimited.js';

const fields = (text: string, separator = ',') => parseDelimited(text, separator).map((r) => r.fields);

describe('parseDelimited', () => {
  it('splits rows and fields, with CRLF or LF, skipping blank lines and a BOM', () => {
    expect(fields('\ufeffa,b\r\n1,2\n\n3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(fields('a\tb\nx y\tz\n', '\t')).toEqual([
      ['a', 'b'],
      ['x y', 'z'],
    ]);
    expect(fields('a||b\n1||2|3\n', '||')).toEqual([
      ['a', 'b'],
      ['1', '2|3'],
    ]);
    expect(fields('a,,\n')).toEqual([['a', '', '']]);
  });

  it('reads quoted fields holding separators, doubled quotes and line breaks, and numbers the lines records start on', () => {
    const records = parseDelimited('path,caption\n"a,b.png","say ""hi""\nto me"\nc.png,plain\n', ',');
    expect(records.map((r) => r.fields)).toEqual([
      ['path', 'caption'],
      ['a,b.png', 'say "hi"\nto me'],
      ['c.png', 'plain'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 4]);
  });
});
