import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initTfjs } from './init-tfjs.js';
import { requireBlasAddon } from './testing/blas-test-support.js';

// backend.threads is the number of OS threads that compute: the addon records the kernel thread id (gettid)
// of every thread that runs a slice of a product, and /proc/self/task lists the process's threads.

const quiet = { log: () => undefined };
const tasks = () => readdirSync('/proc/self/task').length;

/**
 * Distinct threads that ran three large products (768 x 768 x 768, each cut into 4 slices per thread): threads
 * claim slices as they come, so one product on a busy machine might finish before a late thread claims one.
 */
function threadsOfProducts(): number {
  const addon = requireBlasAddon();
  const a = tf.randomUniform([768, 768]);
  addon.threadsRan();
  for (let i = 0; i < 3; i++) {
    const c = tf.matMul(a, a);
    c.dataSync();
    c.dispose();
  }
  a.dispose();
  return addon.threadsRan();
}

describe('the blas thread pool', () => {
  it('computes on exactly backend.threads threads, growing and shrinking', async () => {
    const addon = requireBlasAddon();
    const counts: Record<number, { ran: number; workers: number; tasks: number }> = {};
    for (const threads of [2, 4, 1, 3]) {
      await initTfjs({ device: 'blas', threads, ...quiet });
      const ran = threadsOfProducts();
      counts[threads] = { ran, workers: addon.info().workers, tasks: tasks() };
    }
    for (const threads of [2, 4, 1, 3]) {
      expect(counts[threads].ran, `threads ${threads}`).toBe(threads);
      expect(counts[threads].workers, `threads ${threads}`).toBe(threads - 1);
    }
    // The workers that threads 1 ended are gone from the process, not parked.
    expect(counts[4].tasks - counts[1].tasks).toBe(3);
  });

  /** `threads` null in a fresh Node, under `taskset -c <cpus>` when given: the threads that ran, and the workers started. */
  function freshProcess(cpus?: string): { ran: number; workers: number; threads: number } {
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import { initTfjs, loadBlasAddon } from ${JSON.stringify(fileURLToPath(new URL('./index.js', import.meta.url)).replace(/src\/index\.js$/, 'dist/index.js'))};
      await initTfjs({ device: 'blas', threads: null, log: () => undefined });
      const { addon } = loadBlasAddon();
      const a = tf.randomUniform([768, 768]);
      addon.threadsRan();
      for (let i = 0; i < 3; i++) tf.matMul(a, a).dataSync();
      console.log(JSON.stringify({ ran: addon.threadsRan(), workers: addon.info().workers, threads: addon.info().threads }));`;
    const node = [process.execPath, '--input-type=module', '-e', script];
    const [command, ...args] = cpus === undefined ? node : ['taskset', '-c', cpus, ...node];
    return JSON.parse(execFileSync(command, args, { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) }));
  }

  it('with threads null, computes on the CPUs the process may use (its affinity mask)', () => {
    expect(freshProcess()).toEqual({ ran: availableParallelism(), workers: availableParallelism() - 1, threads: availableParallelism() });
    expect(freshProcess('0')).toEqual({ ran: 1, workers: 0, threads: 1 });
  });
});
