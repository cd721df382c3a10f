import { readFileSync } from 'node:fs';
import { ClipkitError } from '@clipkit/core';
import { parseDelimited } from './parse-delimited.js';

/** One (image path, caption) row as written in the file; `where` names it in messages ("file:line"). */
export interface CaptionRow {
  readonly image: string;
  readonly caption: string;
  readonly where: string;
}

export interface CaptionTableOptions {
  /** Column or key of the image path. */
  readonly imageKey: string;
  /** Column or key of the caption. */
  readonly captionKey: string;
  /** Column separator of CSV/TSV files. */
  readonly separator: string;
}

function readJsonl(file: string, text: string, { imageKey, captionKey }: CaptionTableOptions): CaptionRow[] {
  const rows: CaptionRow[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new ClipkitError(`${where}: not valid JSON (${(error as Error).message}); a JSONL file has one JSON object per line`, { cause: error });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ClipkitError(`${where}: expected a JSON object with "${imageKey}" and "${captionKey}"`);
    const record = value as Record<string, unknown>;
    for (const key of [imageKey, captionKey]) {
      if (typeof record[key] !== 'string') {
        throw new ClipkitError(
          `${where}: "${key}" ${key in record ? 'is not a string' : 'is missing'} (keys: ${Object.keys(record).join(', ')}); set data.imageKey / data.captionKey to the keys the file uses`,
        );
      }
    }
    rows.push({ image: record[imageKey] as string, caption: record[captionKey] as string, where });
  });
  return rows;
}

function readDelimited(file: string, text: string, { imageKey, captionKey, separator }: CaptionTableOptions): CaptionRow[] {
  const [header, ...records] = parseDelimited(text, separator, file);
  if (!header) throw new ClipkitError(`${file}: the file is empty; expected a header row naming the columns "${imageKey}" and "${captionKey}"`);
  const column = (key: string, field: string) => {
    const index = header.fields.indexOf(key);
    if (index < 0) {
      throw new ClipkitError(
        `${file}: no column "${key}" in the header (columns, split at ${JSON.stringify(separator)}: ${header.fields.map((f) => JSON.stringify(f)).join(', ')}); set ${field} to the column's name, or data.separator to the file's separator`,
      );
    }
    return index;
  };
  const imageColumn = column(imageKey, 'data.imageKey');
  const captionColumn = column(captionKey, 'data.captionKey');
  return records.map(({ fields, line }) => {
    const where = `${file}:${line}`;
    if (fields.length !== header.fields.length)
      throw new ClipkitError(`${where}: ${fields.length} fields, the header has ${header.fields.length}; quote fields that hold the separator`);
    return { image: fields[imageColumn], caption: fields[captionColumn], where };
  });
}

/** Reads a CSV/TSV (header row) or, by its .jsonl/.ndjson name, a JSONL table of image paths and captions. */
export function readCaptionTable(file: string, options: CaptionTableOptions): CaptionRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ClipkitError(`cannot read the caption table ${file} (${(error as Error).message}); check data.file / data.evalFile`, { cause: error });
  }
  return /\.(jsonl|ndjson)$/i.test(file) ? readJsonl(file, text, options) : readDelimited(file, text, options);
}
