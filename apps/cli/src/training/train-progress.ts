import type { TrainEvent } from '@clipkit/core';
import { SingleBar } from 'cli-progress';

function formatMetric(value: number | null): string {
  return value === null ? '-' : Math.abs(value) < 1e-3 && value !== 0 ? value.toExponential(2) : value.toFixed(4);
}

/** Seconds as "1h02m", "3m05s" or "42s". */
function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Shows a training run: on a terminal a progress bar with loss, lr, samples/s and ETA; elsewhere (CI,
 * a log file) one line per logged step, with the ETA at the logged rate. Evaluations and checkpoints are
 * always printed as lines.
 */
export function trainProgress(label: string, stream: NodeJS.WriteStream = process.stderr): (event: TrainEvent) => void {
  let bar: SingleBar | undefined;
  let samplesPerSecond = 0;
  let endStep = 0;
  let batchSize = 0;
  // A line printed while the bar is drawn goes above it: clear the bar's line, print, redraw.
  const say = (line: string) => {
    if (bar) stream.write('\r\x1b[K');
    stream.write(`${line}\n`);
    bar?.render();
  };
  return (event) => {
    switch (event.type) {
      case 'start': {
        const from = event.resumedFrom ? `, resumed from ${event.resumedFrom} at step ${event.startStep}` : '';
        const locked = event.lockedParameters > 0 ? ` (${event.lockedParameters.toLocaleString('en')} more locked)` : '';
        ({ endStep, batchSize } = event);
        stream.write(`${label}: ${event.parameters.toLocaleString('en')} parameters${locked}, ${event.endStep} steps of batch ${event.batchSize} on ${event.backend}${from}\n`);
        if (stream.isTTY) {
          bar = new SingleBar({
            format: `${label} {bar} {value}/{total} | loss {loss} | lr {lr} | {speed} samples/s | ETA {eta_formatted}`,
            stream,
            hideCursor: true,
            etaBuffer: 50,
          });
          bar.start(event.endStep, event.startStep, { loss: '-', lr: '-', speed: '-' });
        }
        break;
      }
      case 'step':
        bar?.update(event.stepsDone, { loss: event.loss.toFixed(4), lr: event.lr.toExponential(2), speed: samplesPerSecond.toFixed(1) });
        if (bar && event.stepsDone >= bar.getTotal()) {
          bar.stop();
          bar = undefined;
        }
        break;
      case 'log': {
        const m = event.metrics;
        samplesPerSecond = m.samplesPerSecond;
        if (!bar) {
          const bias = m.logitBias === null ? '' : ` | bias ${m.logitBias.toFixed(3)}`;
          // m.step is the index of the step just done. The ETA is the steps left at the logged rate (the
          // first log's rate includes warm-up: a rough start).
          const done = m.step + 1;
          const eta = m.samplesPerSecond > 0 ? ` | ETA ${formatDuration(((endStep - done) * batchSize) / m.samplesPerSecond)}` : '';
          stream.write(
            `${label} step ${done}/${endStep} | loss ${m.loss.toFixed(4)} | lr ${formatMetric(m.lr)} | scale ${m.logitScale.toFixed(2)}${bias} | ${m.samplesPerSecond.toFixed(1)} samples/s${eta}\n`,
          );
        }
        break;
      }
      case 'eval': {
        const { zeroShot, retrieval, afterSteps } = event.metrics;
        const parts: string[] = [];
        if (zeroShot) parts.push(`zero-shot top-1 ${(zeroShot.top1 * 100).toFixed(2)}% top-5 ${(zeroShot.top5 * 100).toFixed(2)}% (${zeroShot.count} images)`);
        if (retrieval) parts.push(`R@1 image->text ${(retrieval.imageToText.r1 * 100).toFixed(1)}% text->image ${(retrieval.textToImage.r1 * 100).toFixed(1)}%`);
        say(`${label} eval after ${afterSteps} steps: ${parts.join('; ')}`);
        break;
      }
      case 'checkpoint':
        if (!bar) stream.write(`${label} checkpoint after ${event.stepsDone} steps: ${event.dir}\n`);
        break;
    }
  };
}
