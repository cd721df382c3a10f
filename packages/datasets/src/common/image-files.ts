import { ClipkitError } from '@clipkit/core';
import type { ImageLoader } from './image-loader.js';

/** A row naming an image file; `where` (file and line) is what log messages quote. */
export interface ImageRow {
  readonly image: string;
  readonly where: string;
}

/** Rows and their pixels, [3, S, S] each, in order, with each row's position (in the epoch's order, or in the list). */
export interface LoadedRows<Row> {
  readonly rows: Row[];
  readonly pixels: Float32Array[];
  readonly positions: number[];
}

/** Unreadable images are named in the log up to this many times; `skipped` counts them all. */
const LOGGED_SKIPS = 10;

/**
 * Image files read through a loader, with unreadable ones left out: each is logged (the first few), counted and
 * not tried again. Training batch b of an epoch starts at position bB of the epoch's order and takes the next
 * readable images, so an unreadable image's place goes to the next row (which may then appear twice in that
 * epoch), and a run resumed at any position sees the same batches as an uninterrupted one.
 */
export class ImageFiles<Row extends ImageRow> {
  private readonly unreadable = new Set<string>();

  constructor(
    private readonly name: string,
    private readonly loader: ImageLoader,
    private readonly log: (message: string) => void,
  ) {}

  get skipped(): number {
    return this.unreadable.size;
  }

  /** The first `count` readable rows at positions from, from + 1, ... of `order` (wrapping round), each augmented as sample (epoch, position). */
  async fill(rows: readonly Row[], order: Int32Array, epoch: number, from: number, count: number): Promise<LoadedRows<Row>> {
    const out: LoadedRows<Row> = { rows: [], pixels: [], positions: [] };
    let scanned = 0;
    while (out.rows.length < count) {
      const candidates: { row: Row; index: number }[] = [];
      while (candidates.length < count - out.rows.length && scanned < order.length) {
        const index = (from + scanned) % order.length;
        const row = rows[order[index]];
        scanned++;
        if (!this.unreadable.has(row.image)) candidates.push({ row, index });
      }
      if (candidates.length === 0) {
        throw new ClipkitError(
          `${this.name}: only ${rows.length - this.unreadable.size} of the ${rows.length} training images can be read, fewer than a batch of ${count}; fix the images or lower train.batchSize`,
        );
      }
      const loaded = await this.load(
        candidates.map((c) => c.row),
        candidates.map((c) => c.index),
        epoch,
      );
      out.rows.push(...loaded.rows);
      out.pixels.push(...loaded.pixels);
      out.positions.push(...loaded.positions);
    }
    return out;
  }

  /** Every readable row once, in order, `batchSize` at a time (a batch whose images all fail is left out). */
  async *inOrder(rows: readonly Row[], batchSize: number): AsyncGenerator<LoadedRows<Row>> {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ClipkitError(`evaluation batch size must be an integer >= 1, got ${batchSize}`);
    for (let first = 0; first < rows.length; first += batchSize) {
      const positions = Array.from({ length: Math.min(batchSize, rows.length - first) }, (_, i) => first + i).filter((i) => !this.unreadable.has(rows[i].image));
      const loaded = await this.load(
        positions.map((i) => rows[i]),
        positions,
      );
      if (loaded.rows.length > 0) yield loaded;
    }
  }

  /**
   * Decodes the rows' images; with an epoch they are training samples, augmented by their positions. Unreadable
   * ones are left out, logged and counted.
   */
  private async load(rows: readonly Row[], positions: readonly number[], epoch?: number): Promise<LoadedRows<Row>> {
    const results = await this.loader.load(rows.map((row, i) => ({ path: row.image, ...(epoch === undefined ? {} : { sample: { epoch, index: positions[i] } }) })));
    const loaded: LoadedRows<Row> = { rows: [], pixels: [], positions: [] };
    results.forEach((result, i) => {
      if ('pixels' in result) {
        loaded.rows.push(rows[i]);
        loaded.pixels.push(result.pixels);
        loaded.positions.push(positions[i]);
      } else if (!this.unreadable.has(rows[i].image)) {
        this.unreadable.add(rows[i].image);
        if (this.unreadable.size <= LOGGED_SKIPS) this.log(`${this.name}: skipping ${rows[i].where}: ${result.error}`);
        if (this.unreadable.size === LOGGED_SKIPS) this.log(`${this.name}: further unreadable images are skipped without a message (the dataset's skipped count has them all)`);
      }
    });
    return loaded;
  }

  dispose(): Promise<void> {
    return this.loader.dispose();
  }
}

/** Pixel arrays [3, side, side] one after another: a batch's NCHW values. */
export function stackPixels(pixels: readonly Float32Array[], side: number): Float32Array {
  const size = 3 * side * side;
  const out = new Float32Array(pixels.length * size);
  for (const [n, p] of pixels.entries()) out.set(p, n * size);
  return out;
}
