/** Typed views of one element's bytes: 8-byte elements move as two 32-bit words (no float canonicalisation). */
function wordView(bytes: Uint8Array, elementSize: number): { words: Uint8Array | Uint16Array | Uint32Array; perElement: number } {
  const { buffer, byteOffset, byteLength } = bytes;
  if (elementSize === 1) return { words: bytes, perElement: 1 };
  if (elementSize === 2) return { words: new Uint16Array(buffer, byteOffset, byteLength / 2), perElement: 1 };
  return { words: new Uint32Array(buffer, byteOffset, byteLength / 4), perElement: elementSize / 4 };
}

/**
 * The elements of a strided view, row-major, in a fresh buffer: `source` holds the storage from the
 * view's first element on (an aligned fresh buffer, as ZipArchive.readRange returns), `shape`/`stride` are
 * in elements. Rows whose last stride is 1 move as one block; others element by element.
 */
export function copyStrided(source: Uint8Array, elementSize: number, shape: readonly number[], stride: readonly number[]): Uint8Array {
  const numel = shape.reduce((n, d) => n * d, 1);
  const out = new Uint8Array(numel * elementSize);
  if (numel === 0) return out;
  if (shape.length === 0) {
    out.set(source.subarray(0, elementSize));
    return out;
  }
  const last = shape.length - 1;
  const rowLength = shape[last];
  const rowStride = stride[last];
  const from = wordView(source, elementSize);
  const to = wordView(out, elementSize);
  const k = from.perElement;
  const index = new Array<number>(last).fill(0);
  let start = 0; // element offset of the current row in source
  for (let written = 0; written < numel; written += rowLength) {
    if (rowStride === 1) {
      out.set(source.subarray(start * elementSize, (start + rowLength) * elementSize), written * elementSize);
    } else {
      for (let i = 0; i < rowLength; i++) {
        const s = (start + i * rowStride) * k;
        const d = (written + i) * k;
        for (let w = 0; w < k; w++) to.words[d + w] = from.words[s + w];
      }
    }
    // Next row: advance the odometer over the leading dimensions.
    for (let dim = last - 1; dim >= 0; dim--) {
      start += stride[dim];
      if (++index[dim] < shape[dim]) break;
      start -= stride[dim] * shape[dim];
      index[dim] = 0;
    }
  }
  return out;
}

/** Reverses the bytes of every element in place (records written by a big-endian torch). */
export function swapBytes(bytes: Uint8Array, elementSize: number): void {
  if (elementSize === 1) return;
  for (let at = 0; at < bytes.length; at += elementSize) bytes.subarray(at, at + elementSize).reverse();
}
