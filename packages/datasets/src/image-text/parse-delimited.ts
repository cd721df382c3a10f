/** One record of a delimited file and the line it starts on (1-based), for error messages. */
export interface DelimitedRecord {
  readonly fields: string[];
  readonly line: number;
}

/**
 * Splits CSV/TSV text into records as pandas' read_csv does for open_clip's tables: fields separated by
 * `separator`, optionally quoted with `"` (a doubled `""` inside quotes is one quote, and quoted fields may
 * hold separators and line breaks), CRLF or LF line ends, blank lines skipped, a leading BOM ignored.
 */
export function parseDelimited(text: string, separator: string): DelimitedRecord[] {
  const records: DelimitedRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') records.push({ fields, line: recordLine });
    fields = [];
    field = '';
    recordLine = line;
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
    } else if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (text.startsWith(separator, i)) {
      fields.push(field);
      field = '';
      i += separator.length;
    } else if (c === '\n' || c === '\r') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      endRecord();
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
