import { SingleBar } from 'cli-progress';

/** Where a resolve's downloads stand, over every file it downloads. */
export interface HubDownloadProgress {
  /** The repository file being transferred. */
  file: string;
  /** Bytes on disk so far, resumed partial files included. */
  bytes: number;
  /** Bytes of every file this call downloads. */
  total: number;
  /** Bytes received per second since the first request of this call (resumed bytes excluded). */
  bytesPerSecond: number;
  /** Seconds left at that rate; undefined before any byte arrived. */
  etaSeconds: number | undefined;
}

export type HubProgressCallback = (progress: HubDownloadProgress) => void;

/** Adds bytes up and reports rate and ETA. */
export class ProgressMeter {
  private bytes = 0;
  private received = 0;
  private readonly start = performance.now();

  constructor(
    private readonly total: number,
    private readonly callback: HubProgressCallback | undefined,
  ) {}

  /** `count` bytes for `file`: received now, or already on disk from an earlier run (`resumed`), or dropped (negative). */
  add(file: string, count: number, resumed = false): void {
    this.bytes += count;
    if (count > 0 && !resumed) this.received += count;
    const seconds = (performance.now() - this.start) / 1000;
    const bytesPerSecond = seconds > 0 ? this.received / seconds : 0;
    const etaSeconds = bytesPerSecond > 0 ? (this.total - this.bytes) / bytesPerSecond : undefined;
    this.callback?.({ file, bytes: this.bytes, total: this.total, bytesPerSecond, etaSeconds });
  }
}

/** The default report: a bar on stderr when it is a terminal (as the CLI's other bars), nothing otherwise. */
export function stderrProgressBar(stream: NodeJS.WriteStream = process.stderr): HubProgressCallback | undefined {
  if (!stream.isTTY) return undefined;
  const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);
  let bar: SingleBar | undefined;
  return ({ file, bytes, total, bytesPerSecond, etaSeconds }) => {
    const payload = { file, mb: megabytes(bytes), totalMb: megabytes(total), speed: megabytes(bytesPerSecond), left: etaSeconds === undefined ? '-' : `${Math.ceil(etaSeconds)}s` };
    if (bar === undefined) {
      bar = new SingleBar({ format: '{file} {bar} {mb}/{totalMb} MB | {speed} MB/s | {left} left', stream, hideCursor: true });
      bar.start(total, bytes, payload);
    }
    bar.update(bytes, payload);
    if (bytes >= total) {
      // Done: a later phase (the shards of an index) starts a bar of its own.
      bar.stop();
      bar = undefined;
    }
  };
}
