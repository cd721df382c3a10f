import { SingleBar } from 'cli-progress';

/** Where an indexing run stands; sent after every batch. */
export interface IndexProgress {
  /** Files read so far in this run (embedded, found unchanged in content, or skipped). */
  readonly done: number;
  /** Files this run has to read (new, or changed in size or modification time). */
  readonly total: number;
  /** Rows written to the index so far in this run. */
  readonly committed: number;
  readonly skipped: number;
  /** done / seconds since the first file was sent to the workers. */
  readonly filesPerSecond: number;
  /** Seconds left at that rate; null before the first batch. */
  readonly etaSeconds: number | null;
}

/** Counts files against the clock. */
export class ProgressMeter {
  private readonly start: number;
  done = 0;
  committed = 0;
  skipped = 0;

  constructor(
    readonly total: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
  }

  snapshot(): IndexProgress {
    const seconds = (this.now() - this.start) / 1000;
    const filesPerSecond = seconds > 0 ? this.done / seconds : 0;
    const etaSeconds = filesPerSecond > 0 ? (this.total - this.done) / filesPerSecond : null;
    return { done: this.done, total: this.total, committed: this.committed, skipped: this.skipped, filesPerSecond, etaSeconds };
  }
}

/** A progress bar on stderr (cli-progress): files, files/s and the time left. */
export function stderrProgressBar(total: number): { update(progress: IndexProgress): void; stop(): void } {
  const bar = new SingleBar({
    format: '{bar} {value}/{total} images | {rate} images/s | {eta_formatted} left | {skipped} skipped',
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 1000,
  });
  bar.start(total, 0, { rate: '0.0', skipped: 0 });
  return {
    update: (p) => bar.update(p.done, { rate: p.filesPerSecond.toFixed(1), skipped: p.skipped }),
    stop: () => bar.stop(),
  };
}
