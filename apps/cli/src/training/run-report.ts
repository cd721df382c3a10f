import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetricsLog, writeError } from '@clipkit/core';
import { svgCharts } from './svg-line-chart.js';
import { trainingCharts } from './training-plot.js';

/** Draws a run folder's metrics.jsonl as training.svg (loss, and evaluation accuracy); returns its path, or undefined before any metrics exist. */
export function writeRunPlot(runDir: string, label: string): string | undefined {
  const log = new MetricsLog(join(runDir, 'metrics.jsonl'));
  if (!existsSync(log.path)) return undefined;
  const lines = log.read();
  const path = join(runDir, 'training.svg');
  // Through a temporary file, so that a kill never leaves half a plot.
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, svgCharts(trainingCharts([{ label, lines }])));
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw writeError(path, error);
  }
  return path;
}
