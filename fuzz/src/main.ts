/**
 * `npm run fuzz -- <target> [--iterations N] [--seed S] [--from I]` runs seeded mutations of valid inputs
 * through one reader; no target lists them. Each case must end in a ClipkitError or a checked result, within
 * a time and memory bound; anything else is a finding, printed with the command that replays it alone.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerMessage, WorkerRequest } from './fuzz-worker.js';
import { TARGETS } from './targets.js';

/** A case may take 10 s plus 20 µs per byte or character of input (linear: a 1 MB text gets 31 s). */
const timeBound = (length: number) => 10_000 + 0.02 * length;
/** A case may grow the process's resident memory by this much. */
const MEMORY_BOUND = 1024 * 2 ** 20;

interface Finding {
  readonly index: number;
  readonly kind: string;
  readonly message: string;
  readonly description: string;
}

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${args[at + 1]}`);
  return value;
}

/** Runs cases start..end on a worker; resolves with the first case not run (end, or the one after a hang or a crash). */
function runWorker(request: WorkerRequest, stats: Stats): Promise<number> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), { workerData: request, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    let current: { index: number; description: string; length: number; started: number; baseRss: number; peakRss: number } | undefined;
    let next = request.start;
    const watch = setInterval(() => {
      if (!current) return;
      current.peakRss = Math.max(current.peakRss, process.memoryUsage.rss());
      if (performance.now() - current.started > 2 * timeBound(current.length)) {
        stats.findings.push({
          index: current.index,
          kind: 'hang',
          message: `no result after ${((performance.now() - current.started) / 1000).toFixed(0)} s`,
          description: current.description,
        });
        clearInterval(watch);
        void worker.terminate();
        resolve(current.index + 1);
      }
    }, 20);
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'start') {
        const rss = process.memoryUsage.rss();
        current = { index: message.index, description: message.description, length: message.length, started: performance.now(), baseRss: rss, peakRss: rss };
        return;
      }
      if (!current) return;
      const ms = performance.now() - current.started;
      const memory = Math.max(current.peakRss, process.memoryUsage.rss()) - current.baseRss;
      stats.record(current.index, ms, memory, current.length);
      if (message.type === 'failure') stats.findings.push({ index: message.index, kind: 'exception', message: message.message, description: current.description });
      else stats.outcomes[message.outcome]++;
      if (ms > timeBound(current.length))
        stats.findings.push({ index: current.index, kind: 'slow', message: `${ms.toFixed(0)} ms for ${current.length} units`, description: current.description });
      if (memory > MEMORY_BOUND) stats.findings.push({ index: current.index, kind: 'memory', message: `${(memory / 2 ** 20).toFixed(0)} MB`, description: current.description });
      next = current.index + 1;
      current = undefined;
    });
    worker.on('error', (error) => {
      const index = current?.index ?? next;
      stats.findings.push({ index, kind: 'crash', message: `${error.name}: ${error.message}`, description: current?.description ?? '' });
      next = index + 1;
    });
    worker.on('exit', () => {
      clearInterval(watch);
      resolve(next);
    });
  });
}

class Stats {
  readonly findings: Finding[] = [];
  readonly outcomes = { accepted: 0, refused: 0 };
  worstMs = { value: 0, index: -1 };
  worstMemory = { value: 0, index: -1 };
  /** Microseconds per unit of input among inputs of 10,000 units or more (linear time shows as a flat figure). */
  worstPerUnit = { value: 0, index: -1 };

  record(index: number, ms: number, memory: number, length: number): void {
    if (ms > this.worstMs.value) this.worstMs = { value: ms, index };
    if (memory > this.worstMemory.value) this.worstMemory = { value: memory, index };
    if (length >= 10_000 && (1000 * ms) / length > this.worstPerUnit.value) this.worstPerUnit = { value: (1000 * ms) / length, index };
  }
}

const args = process.argv.slice(2);
const target = TARGETS.find((t) => t.name === args[0]);
if (!target) {
  console.log('usage: npm run fuzz -- <target> [--iterations N] [--seed S] [--from I]\n');
  for (const t of TARGETS) console.log(`  ${t.name.padEnd(14)} ${t.description}`);
  process.exitCode = args[0] ? 2 : 0;
} else {
  const iterations = option(args, '--iterations', 500);
  const seed = option(args, '--seed', 0);
  const from = option(args, '--from', 0);
  const stats = new Stats();
  const started = performance.now();
  for (let start = from; start < from + iterations; ) start = await runWorker({ target: target.name, seed, start, end: from + iterations }, stats);
  const distinct = new Map<string, Finding[]>();
  for (const f of stats.findings) {
    const key = `${f.kind}: ${f.message.split('\n')[0].replace(/\d+/g, '#')}`;
    distinct.set(key, [...(distinct.get(key) ?? []), f]);
  }
  console.log(
    `${target.name}: ${iterations} cases (seed ${seed}, from ${from}) in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `${stats.outcomes.accepted} accepted, ${stats.outcomes.refused} refused with a ClipkitError, ${stats.findings.length} findings (${distinct.size} distinct)`,
  );
  console.log(
    `  worst time ${stats.worstMs.value.toFixed(1)} ms (case ${stats.worstMs.index}), worst memory growth ${(stats.worstMemory.value / 2 ** 20).toFixed(1)} MB (case ${stats.worstMemory.index})`,
  );
  if (stats.worstPerUnit.index >= 0)
    console.log(`  worst time per unit of input (inputs of 10,000+): ${stats.worstPerUnit.value.toFixed(2)} µs (case ${stats.worstPerUnit.index})`);
  for (const [key, findings] of distinct) {
    const first = findings[0];
    console.log(`  ${findings.length} x ${key}\n    first: case ${first.index}: ${first.description}\n    ${first.message.split('\n')[0]}`);
    console.log(`    replay: npm run fuzz -- ${target.name} --seed ${seed} --from ${first.index} --iterations 1`);
  }
  if (stats.findings.length > 0) process.exitCode = 1;
}
