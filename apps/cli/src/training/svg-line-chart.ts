/** One line of a chart. */
export interface Series {
  label: string;
  points: readonly [number, number][];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Fixed y range (e.g. [0, 1] for accuracy); default: the data's range. */
  yRange?: [number, number];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const WIDTH = 560;
const HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 32, bottom: 48 };

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round tick values covering [low, high]. */
function ticks(low: number, high: number, count = 5): number[] {
  const span = high - low || Math.abs(high) || 1;
  const step = 10 ** Math.floor(Math.log10(span / count));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= count) ?? 10 * step;
  const out: number[] = [];
  for (let v = Math.ceil(low / nice) * nice; v <= high + nice * 1e-9; v += nice) out.push(Number(v.toPrecision(12)));
  return out;
}

function format(value: number): string {
  return Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(1) : String(Number(value.toPrecision(4)));
}

/** A chart as an SVG <g> placed at (x, y), with axes, ticks, a legend and one polyline per series. */
function chartGroup(chart: LineChart, x: number, y: number): string {
  const all = chart.series.flatMap((s) => s.points);
  if (all.length === 0) return `<g transform="translate(${x},${y})"><text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">${escapeXml(chart.title)}: no data</text></g>`;
  const xs = all.map(([px]) => px);
  const ys = all.map(([, py]) => py);
  // One x value (a single evaluation, at the end of a run): span from 0 to it, so the point sits at its step, not at the left edge.
  const [xMin, xMax] = xs.every((px) => px === xs[0]) ? [Math.min(0, xs[0]), Math.max(0, xs[0]) || 1] : [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = chart.yRange ?? [Math.min(...ys), Math.max(...ys)];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (v: number) => MARGIN.left + ((v - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (v: number) => MARGIN.top + plotH - ((v - yMin) / (yMax - yMin || 1)) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-weight="bold">${escapeXml(chart.title)}</text>`);
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  for (const t of ticks(xMin, xMax)) {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#888"/>`);
    parts.push(`<text x="${sx(t)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" font-size="11">${format(t)}</text>`);
  }
  for (const t of ticks(yMin, yMax)) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11">${format(t)}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle" font-size="12">${escapeXml(chart.xLabel)}</text>`);
  parts.push(`<text transform="translate(14,${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(chart.yLabel)}</text>`);
  chart.series.forEach((series, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = series.points.map(([px, py]) => `${sx(px).toFixed(1)},${sy(py).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="1.8"/>`);
    for (const [px, py] of series.points.length <= 30 ? series.points : []) parts.push(`<circle cx="${sx(px).toFixed(1)}" cy="${sy(py).toFixed(1)}" r="2.5" fill="${colour}"/>`);
    parts.push(`<rect x="${MARGIN.left + 8}" y="${MARGIN.top + 6 + i * 16}" width="10" height="10" fill="${colour}"/>`);
    parts.push(`<text x="${MARGIN.left + 22}" y="${MARGIN.top + 15 + i * 16}" font-size="11">${escapeXml(series.label)}</text>`);
  });
  return `<g transform="translate(${x},${y})">${parts.join('')}</g>`;
}

/** Charts side by side in one standalone SVG document (opens in any browser); its title names them, for screen readers. */
export function svgCharts(charts: readonly LineChart[]): string {
  const body = charts.map((chart, i) => chartGroup(chart, i * WIDTH, 0)).join('\n');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH * charts.length}" height="${HEIGHT}" font-family="sans-serif">\n` +
    `<title>${escapeXml(charts.map((chart) => chart.title).join(', '))}</title>\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`
  );
}
