/**
 * Made-on-demand thumbnails kept in memory up to `maxBytes`, least recently used out first. Requests for a
 * thumbnail that is being made wait for that one instead of making another.
 */
export class ThumbnailCache {
  private readonly entries = new Map<string, Buffer>(); // insertion order = recency
  private readonly making = new Map<string, Promise<Buffer>>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes held. */
  get size(): number {
    return this.bytes;
  }

  async get(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    let pending = this.making.get(key);
    if (!pending) {
      pending = make().finally(() => this.making.delete(key));
      this.making.set(key, pending);
      this.keep(key, await pending);
    }
    return pending;
  }

  private keep(key: string, thumbnail: Buffer): void {
    if (thumbnail.byteLength > this.maxBytes) return;
    this.entries.set(key, thumbnail);
    this.bytes += thumbnail.byteLength;
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= old.byteLength;
    }
  }
}
