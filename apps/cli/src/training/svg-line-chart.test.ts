import { describe, expect, it } from 'vitest';
import { svgCharts } from './svg-line-chart.js';

/** The circles' centres drawn for a chart, in order. */
const centres = (svg: string) => [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);

// The plot area: x from 64 (left margin) to 544 (560 - 16), y from 32 to 272 (320 - 48).
describe('svgCharts', () => {
  it('maps the data range onto the plot area', () => {
    const svg = svgCharts([
      {
        title: 'loss',
        xLabel: 'step',
        yLabel: 'loss',
        series: [
          {
            label: 'a',
            points: [
              [0, 4],
              [100, 2],
            ],
          },
        ],
      },
    ]);
    expect(centres(svg)).toEqual([
      [64, 32],
      [544, 272],
    ]);
    expect(svg).toContain('<title>loss</title>');
  });

  it('puts a single evaluation at its step on an axis from 0, not at the left edge', () => {
    const svg = svgCharts([{ title: 'evaluation', xLabel: 'steps done', yLabel: 'accuracy', yRange: [0, 1], series: [{ label: 'top-1', points: [[234, 0.5]] }] }]);
    expect(centres(svg)).toEqual([[544, 152]]);
    expect(svg).toContain('>0</text>');
  });
});
