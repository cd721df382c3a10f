/**
 * Runs a target's cases start..end on a worker thread, posting each case before and after it runs, so the
 * main thread can time it, watch its memory and stop it when it hangs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SeededRandom } from '@clipkit/core';
import { TARGETS } from './targets.js';

export interface WorkerRequest {
  readonly target: string;
  readonly seed: number;
  readonly start: number;
  readonly end: number;
}

export type WorkerMessage =
  | { readonly type: 'start'; readonly index: number; readonly description: string; readonly length: number }
  | { readonly type: 'done'; readonly index: number; readonly outcome: 'accepted' | 'refused' }
  | { readonly type: 'failure'; readonly index: number; readonly message: string; readonly stack: string };

/** The random stream of case `index`: its own fork, so any case replays alone (--from index --iterations 1). */
function caseRandom(seed: number, target: string, index: number): SeededRandom {
  return new SeededRandom(seed).fork(`${target} ${index}`);
}

const { target, seed, start, end } = workerData as WorkerRequest;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
const make = await TARGETS.find((t) => t.name === target)!.prepare();
for (let index = start; index < end; index++) {
  const input = make(caseRandom(seed, target, index));
  post({ type: 'start', index, description: input.description, length: input.length });
  try {
    post({ type: 'done', index, outcome: await input.run() });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    post({ type: 'failure', index, message: `${e.name}: ${e.message}`, stack: e.stack ?? '' });
  }
}
