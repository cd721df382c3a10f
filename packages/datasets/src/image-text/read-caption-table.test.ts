import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptionTable } from './read-caption-table.js';

const dir = mkdtempSync(join(tmpdir(), 'clipkit-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const OPEN_CLIP = { imageKey: 'filepath', captionKey: 'title', separator: '\t' };

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('readCaptionTable', () => {
  it("reads open_clip's TSV layout, with the columns in any order among others", () => {
    const file = write('train.tsv', 'id\ttitle\tfilepath\n1\ta red cat\timg/1.png\n2\ta dog, sleeping\timg/2.png\n');
    expect(readCaptionTable(file, OPEN_CLIP)).toEqual([
      { image: 'img/1.png', caption: 'a red cat', where: `${file}:2` },
      { image: 'img/2.png', caption: 'a dog, sleeping', where: `${file}:3` },
    ]);
  });

  it('reads a CSV with configured keys and a JSONL file by its name', () => {
    const csv = write('pairs.csv', 'image,text\n"a,b.png","a ""quoted"" caption"\n');
    expect(readCaptionTable(csv, { imageKey: 'image', captionKey: 'text', separator: ',' })).toEqual([{ image: 'a,b.png', caption: 'a "quoted" caption', where: `${csv}:2` }]);
    const jsonl = write('pairs.jsonl', '{"filepath": "x.png", "title": "an x", "extra": 1}\n\n{"filepath": "y.png", "title": "a y"}\n');
    expect(readCaptionTable(jsonl, OPEN_CLIP)).toEqual([
      { image: 'x.png', caption: 'an x', where: `${jsonl}:1` },
      { image: 'y.png', caption: 'a y', where: `${jsonl}:3` },
    ]);
  });

  it('names the file, the line and what to change for a missing column or key, bad JSON and ragged rows', () => {
    const cases: [string, string, string][] = [
      ['no-column.csv', 'path,title\nx.png,x\n', 'no column "filepath" in the header (columns, split at "\\t": "path,title"); set data.imageKey'],
      ['no-key.jsonl', '{"filepath": "x.png"}\n', 'no-key.jsonl:1: "title" is missing (keys: filepath)'],
      ['bad.jsonl', '{"filepath": "x.png", "title": "x"}\n{oops\n', 'bad.jsonl:2: not valid JSON'],
      ['number.jsonl', '{"filepath": 3, "title": "x"}\n', 'number.jsonl:1: "filepath" is not a string'],
      ['ragged.tsv', 'filepath\ttitle\nx.png\tx\textra\n', 'ragged.tsv:2: 3 fields, the header has 2'],
      ['empty.tsv', '', 'empty.tsv: the file is empty'],
    ];
    for (const [name, text, message] of cases) {
      const file = write(name, text);
      expect(() => readCaptionTable(file, OPEN_CLIP), name).toThrow(ClipkitError);
      expect(() => readCaptionTable(file, OPEN_CLIP), name).toThrow(message);
    }
    expect(() => readCaptionTable(join(dir, 'absent.tsv'), OPEN_CLIP)).toThrow('cannot read the caption table');
  });
});
