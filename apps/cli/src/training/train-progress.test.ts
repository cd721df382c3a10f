import type { TrainEvent } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { trainProgress } from './train-progress.js';

/** A log file: not a terminal, so one line per logged step. */
function logFile(): { stream: NodeJS.WriteStream; text: () => string } {
  let written = '';
  const write = (chunk: string) => {
    written += chunk;
    return true;
  };
  const stream = { isTTY: false, write } as unknown as NodeJS.WriteStream;
  return { stream, text: () => written };
}

const start: TrainEvent = {
  type: 'start',
  startStep: 0,
  endStep: 234,
  totalSteps: 234,
  batchSize: 256,
  parameters: 1000,
  lockedParameters: 0,
  backend: 'tfjs blas',
  resumedFrom: null,
};

const log = (step: number, samplesPerSecond: number): TrainEvent => ({
  type: 'log',
  metrics: { type: 'train', step, loss: 3.5, lr: 5e-4, logitScale: 14.28, logitBias: null, gradNorm: null, samplesPerSecond },
});

describe('trainProgress in a log file', () => {
  it('prints steps done of the total and the ETA of the steps left at the logged rate', () => {
    const { stream, text } = logFile();
    const show = trainProgress('run', stream);
    show(start);
    // Step index 139 done: 94 steps of 256 left at 100 samples/s = 240.64 s.
    show(log(139, 100));
    // The last step: nothing left.
    show(log(233, 100));
    const lines = text().trim().split('\n');
    expect(lines[1]).toBe('run step 140/234 | loss 3.5000 | lr 5.00e-4 | scale 14.28 | 100.0 samples/s | ETA 4m01s');
    expect(lines[2]).toMatch(/^run step 234\/234 .* \| ETA 0s$/);
  });

  it('prints hours for long runs and no ETA before a rate is known', () => {
    const { stream, text } = logFile();
    const show = trainProgress('run', stream);
    show({ ...start, endStep: 100_000 });
    show(log(0, 0));
    // 99,000 steps of 256 left at 5,000 samples/s = 5,068.8 s.
    show(log(999, 5000));
    const lines = text().trim().split('\n');
    expect(lines[1]).toBe('run step 1/100000 | loss 3.5000 | lr 5.00e-4 | scale 14.28 | 0.0 samples/s');
    expect(lines[2]).toMatch(/\| ETA 1h24m$/);
  });
});
