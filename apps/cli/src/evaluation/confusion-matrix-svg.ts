import type { ClassReport } from './class-report.js';

const CELL = 28;
const LABEL_WIDTH = 140;
const TOP = 150;
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The confusion matrix as an SVG heat map: rows are the true classes, columns the top-1 predictions, each cell
 * shaded by its share of the row (white 0 to dark blue 1) and labelled with its count when the matrix is small
 * enough to read. Row labels give each class's top-1 accuracy.
 */
export function confusionMatrixSvg(report: ClassReport, title: string): string {
  const n = report.classNames.length;
  const cell = n <= 30 ? CELL : Math.max(4, Math.floor(840 / n));
  const width = LABEL_WIDTH + n * cell + 16;
  const height = TOP + n * cell + 16;
  const parts: string[] = [`<text x="${width / 2}" y="20" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`];
  parts.push(`<text x="${LABEL_WIDTH + (n * cell) / 2}" y="40" text-anchor="middle" font-size="12">predicted class</text>`);
  report.classNames.forEach((name, c) => {
    const x = LABEL_WIDTH + c * cell + cell / 2;
    parts.push(`<text transform="translate(${x},${TOP - 6}) rotate(-60)" font-size="11">${escapeXml(name)}</text>`);
    const accuracy = Number.isNaN(report.accuracy[c]) ? '-' : `${(report.accuracy[c] * 100).toFixed(1)}%`;
    parts.push(`<text x="${LABEL_WIDTH - 6}" y="${TOP + c * cell + cell / 2 + 4}" text-anchor="end" font-size="11">${escapeXml(name)} ${accuracy}</text>`);
  });
  report.confusion.forEach((row, t) => {
    row.forEach((count, p) => {
      const share = report.counts[t] === 0 ? 0 : count / report.counts[t];
      // White to #08306b (matplotlib's Blues at 1), linear in each channel.
      const [r, g, b] = [255 - share * (255 - 8), 255 - share * (255 - 48), 255 - share * (255 - 107)].map(Math.round);
      const [x, y] = [LABEL_WIDTH + p * cell, TOP + t * cell];
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${r},${g},${b})" stroke="#ddd"><title>${escapeXml(`${report.classNames[t]} as ${report.classNames[p]}: ${count}`)}</title></rect>`,
      );
      if (n <= 30 && count > 0) {
        parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" font-size="10" fill="${share > 0.5 ? '#fff' : '#000'}">${count}</text>`);
      }
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}
