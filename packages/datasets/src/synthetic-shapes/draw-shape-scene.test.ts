import { describe, expect, it } from 'vitest';
import { drawShapeScene } from './draw-shape-scene.js';
import type { ShapeScene } from './shape-scene.js';
import { COLOURS, SHAPES } from './shape-vocabulary.js';

const SIDE = 64;
const RADIUS = 17;
const BACKGROUND = 40;
const WHITE = COLOURS.findIndex((c) => c.name === 'white');

function scene(shape: number, colour = WHITE): ShapeScene {
  return { shape, colour, rgb: COLOURS[colour].rgb, size: 1, position: 4, cx: 32, cy: 32, radius: RADIUS, background: BACKGROUND, noiseSeed: 9, caption: '' };
}

/** Areas of the outlines in units of radius^2, from their geometry. */
const AREA: Record<string, number> = {
  circle: Math.PI * 0.85,
  square: 1.56 ** 2,
  triangle: (1.732 * 1.5) / 2, // base 2 x 0.866, height 1.5
  star: 5 * 0.45 * Math.sin(Math.PI / 5), // n R r sin(pi / n) for a star of n points
  cross: 2 * 0.6 * 1.9 - 0.6 * 0.6,
  ring: Math.PI * (0.9 - 0.3),
  diamond: 2,
};

describe('drawShapeScene', () => {
  it.each(SHAPES.map((name, shape) => [name, shape] as const))('draws a %s with the area of its outline (within 2%)', (name, shape) => {
    const { data } = drawShapeScene(scene(shape), SIDE);
    const level = COLOURS[WHITE].rgb[0];
    // Each pixel's coverage from its grey level; the background noise (+-8) averages out.
    let area = 0;
    for (let i = 0; i < data.length; i++) area += (data[i] - BACKGROUND) / (level - BACKGROUND) / 3;
    expect(Math.abs(area / (AREA[name] * RADIUS * RADIUS) - 1)).toBeLessThan(0.02);
  });

  it('fills the inside with the colour and leaves the background within its noise', () => {
    const red = COLOURS.findIndex((c) => c.name === 'red');
    const { data, width, height } = drawShapeScene(scene(0, red), SIDE);
    expect([width, height, data.length]).toEqual([SIDE, SIDE, SIDE * SIDE * 3]);
    const at = (x: number, y: number) => [...data.subarray((y * SIDE + x) * 3, (y * SIDE + x) * 3 + 3)];
    expect(at(32, 32)).toEqual([...COLOURS[red].rgb]);
    for (const [x, y] of [
      [0, 0],
      [63, 0],
      [5, 60],
      [63, 63],
    ])
      for (const v of at(x, y)) expect(Math.abs(v - BACKGROUND)).toBeLessThanOrEqual(8);
  });
});
