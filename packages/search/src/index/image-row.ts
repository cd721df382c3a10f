/** What the index stores of one image file besides its embedding. */
export interface ImageRecord {
  /** imageId(path): stable for a path, so a re-run replaces the row instead of adding another. */
  readonly id: string;
  /** Relative to the indexed root, with "/" separators. */
  readonly path: string;
  /** Bytes. */
  readonly size: number;
  /** Modification time, ms since the epoch (fs.Stats.mtimeMs). */
  readonly mtime: number;
  /** sha256 of the file's bytes, hex. */
  readonly hash: string;
  readonly width: number;
  readonly height: number;
}

/** A stored row: the record and its normalised embedding. */
export interface ImageRow extends ImageRecord {
  /** [embedDim], L2-normalised. */
  readonly vector: Float32Array;
}
