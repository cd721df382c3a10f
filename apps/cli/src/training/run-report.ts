import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetricsLog } from '@clipkit/core';
import { svgCharts } from './svg-line-chart.js';
import { trainingCharts } from './training-plot.js';

/** Draws a run folder's metrics.jsonl as training.svg (loss, and evaluation accuracy); returns its path, or undefined before any metrics exist. */
export function writeRunPlot(runDir: string, label: string): string | undefined {
  const log = new MetricsLog(join(runDir, 'metrics.jsonl'));
  if (!existsSync(log.path)) return undefined;
  const lines = log.read();
  const path = join(runDir, 'training.svg');
  writeFileSync(path, svgCharts(trainingCharts([{ label, lines }])));
  return path;
}
