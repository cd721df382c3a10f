import { ClipkitError } from '@clipkit/core';
import { CsvError, parse } from 'csv-parse/sync';

/** One record of a delimited file and the line it starts on (1-based), for error messages. */
export interface DelimitedRecord {
  readonly fields: string[];
  readonly line: number;
}

/** The 1-based number of the first non-empty line after line `after` (a record starts there; csv-parse skips empty lines). */
function nextRecordLine(lines: readonly string[], after: number): number {
  let line = after + 1;
  while (line <= lines.length && lines[line - 1] === '') line++;
  return line;
}

/**
 * Splits CSV/TSV text into records as pandas' read_csv does for open_clip's tables: fields separated by
 * `separator`, optionally quoted with `"` (a doubled `""` inside quotes is one quote, and quoted fields may
 * hold separators and line breaks; a quote inside an unquoted field is kept as it is), CRLF, LF or CR line
 * ends, empty lines skipped, a leading BOM ignored. A quote left open to the end of the file is an error
 * naming the line its record starts on, not a silent loss of the rows after it (issue 16). `file` names the file in errors.
 */
export function parseDelimited(text: string, separator: string, file: string): DelimitedRecord[] {
  const lines = text.split(/\r\n|\n|\r/);
  const records: DelimitedRecord[] = [];
  let lastLine = 0; // the line the previous record ended on
  try {
    parse(text, {
      delimiter: separator,
      record_delimiter: ['\r\n', '\n', '\r'],
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true, // readCaptionTable reports ragged rows with their line
      relax_quotes: true,
      on_record: (record, context) => {
        records.push({ fields: record, line: nextRecordLine(lines, lastLine) });
        lastLine = context.lines;
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = nextRecordLine(lines, lastLine);
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new ClipkitError(
        `${file}:${line}: the record starting on this line opens a quoted field that is never closed (the file ends inside it); close the quote, and write a quote inside a quoted field as ""`,
        { cause: error },
      );
    }
    throw new ClipkitError(`${file}:${line}: cannot read the record (${error.message})`, { cause: error });
  }
  return records;
}
