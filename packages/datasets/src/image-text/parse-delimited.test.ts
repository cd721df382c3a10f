import { ClipkitError } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { parseDelimited } from './parse-delimited.js';

const fields = (text: string, separator = ',') => parseDelimited(text, separator, 't.csv').map((r) => r.fields);

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
    const records = parseDelimited('path,caption\n"a,b.png","say ""hi""\nto me"\n\nc.png,plain\n', ',', 't.csv');
    expect(records.map((r) => r.fields)).toEqual([
      ['path', 'caption'],
      ['a,b.png', 'say "hi"\nto me'],
      ['c.png', 'plain'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('names the line of the record whose quote is never closed, instead of losing the rows after it (issue 16)', () => {
    const text = 'path,caption\na.png,one\n\nb.png,"two\nc.png,three\nd.png,four\n';
    expect(() => parseDelimited(text, ',', 't.csv')).toThrow(ClipkitError);
    expect(() => parseDelimited(text, ',', 't.csv')).toThrow('t.csv:4: the record starting on this line opens a quoted field that is never closed');
  });

  it('keeps a quote inside an unquoted field, as pandas does', () => {
    expect(fields('a,b\nsay "hi",x\n')).toEqual([
      ['a', 'b'],
      ['say "hi"', 'x'],
    ]);
  });
});
