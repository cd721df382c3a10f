import type { ImageIndex } from '../index/image-index.js';
import type { ImageRow } from '../index/image-row.js';

/**
 * Writes rows to the index `commitRows` at a time, one LanceDB commit each, with one write in flight:
 * LanceDB writes on its own threads while the caller embeds the next batch.
 */
export class RowWriter {
  private pending: ImageRow[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly index: ImageIndex,
    private readonly commitRows: number,
    private readonly onCommitted: (rows: number) => void,
  ) {}

  async add(rows: readonly ImageRow[]): Promise<void> {
    this.pending.push(...rows);
    if (this.pending.length >= this.commitRows) await this.commit();
  }

  /** Writes what is pending and waits for every write to finish. */
  async flush(): Promise<void> {
    await this.commit();
    await this.writing;
  }

  private async commit(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    await this.writing;
    this.writing = this.index.write(rows).then(() => this.onCommitted(rows.length));
  }
}
