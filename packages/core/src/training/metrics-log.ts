import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ClipkitError } from '../errors.js';
import type { RetrievalRecall } from '../evaluation/retrieval-recall.js';
import type { ZeroShotAccuracy } from '../evaluation/zero-shot-accuracy.js';
import { writeError } from '../io/write-error.js';

/** One logged training step (open_clip's log line). */
export interface TrainMetrics {
  type: 'train';
  /** 0-based index of the step whose loss this is. */
  step: number;
  /** The step's loss, before its update. */
  loss: number;
  /** Learning rate of the step. */
  lr: number;
  /** exp(t) after the step's clamp. */
  logitScale: number;
  /** SigLIP's bias after the step; null for CLIP. */
  logitBias: number | null;
  /** Global gradient norm before clipping, when clipping is on. */
  gradNorm: number | null;
  /** Training samples per second since the previous log line (evaluation and checkpoints excluded). */
  samplesPerSecond: number;
}

/** One evaluation. */
export interface EvalMetrics {
  type: 'eval';
  /** Optimiser steps completed when it ran. */
  afterSteps: number;
  zeroShot: ZeroShotAccuracy | null;
  retrieval: RetrievalRecall | null;
}

export type MetricsLine = TrainMetrics | EvalMetrics;

/** Steps completed by the time a line was written. */
function stepsDone(line: MetricsLine): number {
  return line.type === 'train' ? line.step + 1 : line.afterSteps;
}

/** metrics.jsonl of a run: one JSON object per line, appended as the run goes. */
export class MetricsLog {
  constructor(readonly path: string) {}

  append(line: MetricsLine): void {
    try {
      appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    } catch (error) {
      throw writeError(this.path, error);
    }
  }

  /**
   * The lines written so far. A last line without its newline was torn by a kill while being appended: it is
   * left out (truncateAfter then drops it from the file). Any other line that is not JSON is an error.
   */
  read(): MetricsLine[] {
    if (!existsSync(this.path)) return [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    // After the last newline: '' when the file ends whole, else the torn line.
    lines.pop();
    return lines
      .map((text, index) => ({ text, index }))
      .filter(({ text }) => text.trim() !== '')
      .map(({ text, index }) => {
        try {
          return JSON.parse(text) as MetricsLine;
        } catch {
          throw new ClipkitError(`${this.path}, line ${index + 1}: not a JSON object ("${text.slice(0, 80)}"); remove or repair that line`);
        }
      });
  }

  /**
   * Drops lines written after `steps` steps (a resumed run repeats them from its checkpoint) and a torn last
   * line, and the temporary files of rewrites a kill interrupted.
   */
  truncateAfter(steps: number): void {
    const kept = this.read().filter((line) => stepsDone(line) <= steps);
    // `${path}.<pid>.tmp`, as written below.
    const prefix = `${basename(this.path)}.`;
    const stale = (name: string) => name.startsWith(prefix) && name.endsWith('.tmp') && /^\d+$/.test(name.slice(prefix.length, -'.tmp'.length));
    for (const name of readdirSync(dirname(this.path)).filter(stale)) rmSync(join(dirname(this.path), name), { force: true });
    // Through a temporary file: a kill while rewriting must not lose the lines kept.
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, kept.map((l) => `${JSON.stringify(l)}\n`).join(''));
      renameSync(temp, this.path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw writeError(this.path, error);
    }
  }
}
