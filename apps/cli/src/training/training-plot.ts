import type { MetricsLine } from '@clipkit/core';
import type { LineChart, Series } from './svg-line-chart.js';

/** Loss per logged step, for one run. */
function lossSeries(label: string, lines: readonly MetricsLine[]): Series {
  return { label, points: lines.flatMap((l) => (l.type === 'train' ? [[l.step, l.loss] as [number, number]] : [])) };
}

/** The evaluation curves of one run: zero-shot top-1 / top-5, or retrieval R@1 in both directions. */
function accuracySeries(label: string, lines: readonly MetricsLine[]): Series[] {
  const evals = lines.flatMap((l) => (l.type === 'eval' ? [l] : []));
  const curve = (name: string, pick: (l: (typeof evals)[number]) => number | undefined): Series[] => {
    const points = evals.flatMap((l) => {
      const v = pick(l);
      return v === undefined ? [] : [[l.afterSteps, v] as [number, number]];
    });
    return points.length > 0 ? [{ label: `${label}${name}`, points }] : [];
  };
  return [
    ...curve(' zero-shot top-1', (l) => l.zeroShot?.top1),
    ...curve(' zero-shot top-5', (l) => l.zeroShot?.top5),
    ...curve(' image->text R@1', (l) => l.retrieval?.imageToText.r1),
    ...curve(' text->image R@1', (l) => l.retrieval?.textToImage.r1),
  ];
}

/** The two charts of a run folder: training loss, and evaluation accuracy. */
export function trainingCharts(runs: readonly { label: string; lines: readonly MetricsLine[] }[]): LineChart[] {
  return [
    { title: 'training loss', xLabel: 'step', yLabel: 'loss', series: runs.map((r) => lossSeries(r.label, r.lines)) },
    { title: 'evaluation', xLabel: 'steps done', yLabel: 'accuracy / recall', yRange: [0, 1], series: runs.flatMap((r) => accuracySeries(r.label, r.lines)) },
  ];
}
