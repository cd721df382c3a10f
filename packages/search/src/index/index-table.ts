import type { Field as ArrowField, Schema, Table } from 'apache-arrow';
import { arrow } from './arrow.js';
import type { ImageRecord, ImageRow } from './image-row.js';

/** The columns of an image index; `vector` is a fixed-size list of embedDim float32. */
export function indexSchema(embedDim: number, metadata?: Map<string, string>): Schema {
  const { Field, FixedSizeList, Float32, Float64, Int32, Int64, Schema, Utf8 } = arrow;
  const fields: ArrowField[] = [
    new Field('id', new Utf8(), false),
    new Field('path', new Utf8(), false),
    new Field('size', new Int64(), false),
    new Field('mtime', new Float64(), false),
    new Field('hash', new Utf8(), false),
    new Field('width', new Int32(), false),
    new Field('height', new Int32(), false),
    new Field('vector', new FixedSizeList(embedDim, new Field('item', new Float32(), true)), false),
  ];
  return new Schema(fields, metadata);
}

/** The record columns, without the embedding. */
export const RECORD_COLUMNS = ['id', 'path', 'size', 'mtime', 'hash', 'width', 'height'] as const;

/** Rows as one Arrow table of the index's columns (without metadata: LanceDB keeps the table's own). */
export function rowsToArrow(rows: readonly ImageRow[], embedDim: number): Table {
  const { Float32, Float64, Int32, Int64, RecordBatch, Struct, Table, Utf8, makeData, vectorFromArray } = arrow;
  const schema = indexSchema(embedDim);
  const n = rows.length;
  const flat = new Float32Array(n * embedDim); // [n, embedDim]
  for (const [i, row] of rows.entries()) flat.set(row.vector, i * embedDim);
  const vectorType = schema.fields[7].type;
  const columns = [
    vectorFromArray(
      rows.map((r) => r.id),
      new Utf8(),
    ).data[0],
    vectorFromArray(
      rows.map((r) => r.path),
      new Utf8(),
    ).data[0],
    makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.from(rows, (r) => BigInt(r.size)) }),
    makeData({ type: new Float64(), length: n, nullCount: 0, data: Float64Array.from(rows, (r) => r.mtime) }),
    vectorFromArray(
      rows.map((r) => r.hash),
      new Utf8(),
    ).data[0],
    makeData({ type: new Int32(), length: n, nullCount: 0, data: Int32Array.from(rows, (r) => r.width) }),
    makeData({ type: new Int32(), length: n, nullCount: 0, data: Int32Array.from(rows, (r) => r.height) }),
    makeData({ type: vectorType, length: n, nullCount: 0, child: makeData({ type: new Float32(), length: n * embedDim, data: flat }) }),
  ];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children: columns }));
  return new Table(schema, [batch]);
}

/** Record i of an Arrow result holding RECORD_COLUMNS. */
export function recordAt(table: Table, i: number): ImageRecord {
  const get = (name: string) => table.getChild(name)!.get(i);
  return {
    id: get('id'),
    path: get('path'),
    size: Number(get('size')),
    mtime: get('mtime'),
    hash: get('hash'),
    width: get('width'),
    height: get('height'),
  };
}

/** Row i's embedding from an Arrow result holding `vector`. */
export function vectorAt(table: Table, i: number): Float32Array {
  return Float32Array.from(table.getChild('vector')!.get(i)!.toArray() as Float32Array);
}
