/** An integer field of a binary header: where it is, how wide (little-endian), and what it means. */
export interface IntField {
  offset: number;
  width: 1 | 2 | 4 | 8;
  name: string;
}

/**
 * The size, count, length and offset fields of a valid zip archive's headers (end records, central
 * directory entries, local headers), for mutations that put wrong numbers exactly where a reader trusts
 * them. Assumes the archive is well formed (it is the unmutated original).
 */
export function zipHeaderFields(bytes: Uint8Array): IntField[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: IntField[] = [];
  let end = -1;
  for (let i = bytes.length - 22; i >= 0 && end < 0; i--) if (view.getUint32(i, true) === 0x06054b50) end = i;
  if (end < 0) return fields;
  for (const [at, width, name] of [
    [8, 2, 'entries on disk'],
    [10, 2, 'entries'],
    [12, 4, 'directory size'],
    [16, 4, 'directory offset'],
    [20, 2, 'comment length'],
  ] as const) {
    fields.push({ offset: end + at, width, name: `end record ${name}` });
  }
  let directory = view.getUint32(end + 16, true);
  let count = view.getUint16(end + 10, true);
  if (end >= 20 && view.getUint32(end - 20, true) === 0x07064b50) {
    fields.push({ offset: end - 12, width: 8, name: 'zip64 locator record offset' });
    const z = Number(view.getBigUint64(end - 12, true));
    for (const [at, name] of [
      [24, 'entries on disk'],
      [32, 'entries'],
      [40, 'directory size'],
      [48, 'directory offset'],
    ] as const) {
      fields.push({ offset: z + at, width: 8, name: `zip64 end record ${name}` });
    }
    directory = Number(view.getBigUint64(z + 48, true));
    count = Number(view.getBigUint64(z + 32, true));
  }
  for (let i = 0, at = directory; i < count; i++) {
    for (const [field, width, name] of [
      [10, 2, 'method'],
      [20, 4, 'compressed size'],
      [24, 4, 'size'],
      [28, 2, 'name length'],
      [30, 2, 'extra length'],
      [42, 4, 'local header offset'],
    ] as const) {
      fields.push({ offset: at + field, width, name: `central entry ${i} ${name}` });
    }
    const local = view.getUint32(at + 42, true);
    fields.push(
      { offset: local + 8, width: 2, name: `local header ${i} method` },
      { offset: local + 26, width: 2, name: `local header ${i} name length` },
      { offset: local + 28, width: 2, name: `local header ${i} extra length` },
    );
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return fields;
}
