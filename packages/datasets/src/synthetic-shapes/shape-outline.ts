import type { ShapeName } from './shape-vocabulary.js';

/** Whether a point is inside the polygon (even-odd rule, so concave outlines such as the star work). */
function insidePolygon(u: number, v: number, polygon: readonly number[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 2; i < polygon.length; j = i, i += 2) {
    const [ui, vi, uj, vj] = [polygon[i], polygon[i + 1], polygon[j], polygon[j + 1]];
    if (vi > v !== vj > v && u < ((uj - ui) * (v - vi)) / (vj - vi) + ui) inside = !inside;
  }
  return inside;
}

/** Vertices [u0, v0, u1, v1, ...] of a regular star or polygon: `points` tips on radius 1, alternating with `inner`. */
function starPolygon(points: number, inner: number | null): number[] {
  const corners = inner === null ? points : 2 * points;
  return Array.from({ length: corners }, (_, i) => {
    const radius = inner !== null && i % 2 === 1 ? inner : 1;
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / corners; // first tip straight up
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  }).flat();
}

const TRIANGLE = starPolygon(3, null).map((c, i) => (i % 2 === 1 ? c + 0.25 : c)); // centred on its height, not its circumcentre
const STAR = starPolygon(5, 0.45);

/**
 * Whether (u, v) lies inside the shape drawn in a circle of radius 1 (v points down). Each shape nearly
 * fills the circle, so sizes compare across shapes.
 */
export function insideShape(shape: ShapeName, u: number, v: number): boolean {
  switch (shape) {
    case 'circle':
      return u * u + v * v <= 0.85;
    case 'square':
      return Math.abs(u) <= 0.78 && Math.abs(v) <= 0.78;
    case 'triangle':
      return insidePolygon(u, v, TRIANGLE);
    case 'star':
      return insidePolygon(u, v, STAR);
    case 'cross':
      return (Math.abs(u) <= 0.3 && Math.abs(v) <= 0.95) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 0.95);
    case 'ring': {
      const r2 = u * u + v * v;
      return r2 <= 0.9 && r2 >= 0.3;
    }
    case 'diamond':
      return Math.abs(u) + Math.abs(v) <= 1;
  }
}
