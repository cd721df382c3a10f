import type { SeededRandom } from '@clipkit/core';
import { SHAPE_PHRASING_COUNT, shapeCaption } from './shape-caption.js';
import { COLOURS, POSITION_JITTER, POSITIONS, SHAPES, SIZES } from './shape-vocabulary.js';

/** Everything about one synthetic image: what is drawn where, and its caption. */
export interface ShapeScene {
  /** Index into SHAPES (the zero-shot label). */
  readonly shape: number;
  /** Index into COLOURS. */
  readonly colour: number;
  /** The fill actually drawn: the named colour, each channel shifted by up to +-COLOUR_JITTER. */
  readonly rgb: readonly [number, number, number];
  /** Index into SIZES. */
  readonly size: number;
  /** Index into POSITIONS. */
  readonly position: number;
  /** Centre and radius in pixels. */
  readonly cx: number;
  readonly cy: number;
  readonly radius: number;
  /** Grey level of the background, 0..255. */
  readonly background: number;
  /** Seed of the background noise. */
  readonly noiseSeed: number;
  readonly caption: string;
}

/**
 * Shades vary around each named colour, so a model learns shapes from their outline against the background
 * rather than from exact channel values, which helps it carry shapes over to held-out colours.
 */
export const COLOUR_JITTER = 20;

/** Grey levels of the background: dark, so every colour stands out. */
const BACKGROUND_MIN = 10;
const BACKGROUND_MAX = 60;

/** A scene of the given shape and colour, with size, position, background and caption drawn from `rng`. */
export function sampleShapeScene(rng: SeededRandom, shape: number, colour: number, imageSize: number): ShapeScene {
  const size = rng.int(SIZES.length);
  const position = rng.int(POSITIONS.length);
  const jitter = () => (2 * rng.uniform() - 1) * POSITION_JITTER * imageSize;
  const cx = POSITIONS[position].x * imageSize + jitter();
  const cy = POSITIONS[position].y * imageSize + jitter();
  const shade = (level: number) => Math.min(255, Math.max(0, level + rng.int(2 * COLOUR_JITTER + 1) - COLOUR_JITTER));
  const [r, g, b] = COLOURS[colour].rgb;
  const rgb = [shade(r), shade(g), shade(b)] as const;
  const background = BACKGROUND_MIN + rng.int(BACKGROUND_MAX - BACKGROUND_MIN + 1);
  const noiseSeed = rng.nextUint32();
  const words = { shape: SHAPES[shape], colour: COLOURS[colour].name, size: SIZES[size].name, position: POSITIONS[position].phrase };
  const caption = shapeCaption(rng.int(SHAPE_PHRASING_COUNT), words);
  return { shape, colour, rgb, size, position, cx, cy, radius: SIZES[size].radius * imageSize, background, noiseSeed, caption };
}
