/** Latency figures shared by the search benchmarks. */

/** The q-quantile (0..1) of `values`, nearest rank. */
function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** "p50 1.23 ms, p99 4.56 ms" */
export function latencySummary(ms: readonly number[]): string {
  return `p50 ${quantile(ms, 0.5).toFixed(2)} ms, p99 ${quantile(ms, 0.99).toFixed(2)} ms`;
}

/** Resident memory in MiB. */
export function rssMiB(rss: number = process.memoryUsage.rss()): string {
  return `${(rss / 2 ** 20).toFixed(0)} MiB`;
}

/** Flags of the form --name value, each a positive number (or >= 0 if named in `zeroAllowed`); unknown flags are an error naming the known ones. */
export function numberFlags<T extends Record<string, number>>(bench: string, args: readonly string[], defaults: T, zeroAllowed: readonly string[] = []): T {
  const options: Record<string, number> = { ...defaults };
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '');
    const value = Number(args[i + 1]);
    if (!(name in defaults) || !(value > 0 || (value === 0 && zeroAllowed.includes(name)))) {
      throw new Error(
        `${bench}: unknown argument "${args[i]} ${args[i + 1] ?? ''}"; use ${Object.entries(defaults)
          .map(([k, v]) => `--${k} N (${v})`)
          .join(', ')}`,
      );
    }
    options[name] = value;
  }
  return options as T;
}
