import { SingleBar } from 'cli-progress';

export interface Progress {
  advance(count: number): void;
  stop(): void;
}

/** A progress bar on stderr for `total` items, shown only on a terminal and only when there is more than one batch. */
export function progressBar(total: number, batchSize: number, unit: string): Progress {
  if (!process.stderr.isTTY || total <= batchSize) return { advance: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `{bar} {value}/{total} ${unit} | {eta_formatted} left`, stream: process.stderr, hideCursor: true });
  bar.start(total, 0);
  return { advance: (count) => bar.increment(count), stop: () => bar.stop() };
}
