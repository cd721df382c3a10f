/**
 * What synthetic-shapes draws and says. Sizes and positions are fractions of the image side, chosen so
 * that at 32x32 a small shape is about 10 px across and a large one about 17 px, and no shape leaves the
 * image (outlines reach at most one radius from the centre along either axis).
 */
export const SHAPES = ['circle', 'square', 'triangle', 'star', 'cross', 'ring', 'diamond'] as const;
export type ShapeName = (typeof SHAPES)[number];

export interface ColourWord {
  readonly name: string;
  readonly rgb: readonly [number, number, number];
}

/** Hues far apart, and all bright against the dark background. */
export const COLOURS: readonly ColourWord[] = [
  { name: 'red', rgb: [230, 40, 40] },
  { name: 'orange', rgb: [250, 145, 20] },
  { name: 'yellow', rgb: [240, 230, 50] },
  { name: 'green', rgb: [50, 200, 70] },
  { name: 'blue', rgb: [60, 110, 250] },
  { name: 'purple', rgb: [170, 70, 220] },
  { name: 'white', rgb: [245, 245, 245] },
];

export interface SizeWord {
  readonly name: string;
  /** Radius of the shape's enclosing circle, as a fraction of the image side. */
  readonly radius: number;
}

export const SIZES: readonly SizeWord[] = [
  { name: 'small', radius: 0.16 },
  { name: 'large', radius: 0.27 },
];

export interface PositionWord {
  /** The phrase that ends a caption, e.g. "on the left". */
  readonly phrase: string;
  /** Centre as fractions of the image side (y down). */
  readonly x: number;
  readonly y: number;
}

export const POSITIONS: readonly PositionWord[] = [
  { phrase: 'on the left', x: 0.32, y: 0.5 },
  { phrase: 'on the right', x: 0.68, y: 0.5 },
  { phrase: 'at the top', x: 0.5, y: 0.32 },
  { phrase: 'at the bottom', x: 0.5, y: 0.68 },
  { phrase: 'in the middle', x: 0.5, y: 0.5 },
];

/** The largest random shift of a shape's centre, as a fraction of the image side. */
export const POSITION_JITTER = 0.03;

/**
 * (shape, colour) pairs that training never shows, one per shape and one per colour: the zero-shot task
 * asks for the shape of these unseen combinations, so a model must separate shape from colour.
 */
export const HELD_OUT: readonly { readonly shape: ShapeName; readonly colour: string }[] = [
  { shape: 'circle', colour: 'blue' },
  { shape: 'square', colour: 'red' },
  { shape: 'triangle', colour: 'green' },
  { shape: 'star', colour: 'purple' },
  { shape: 'cross', colour: 'yellow' },
  { shape: 'ring', colour: 'white' },
  { shape: 'diamond', colour: 'orange' },
];
