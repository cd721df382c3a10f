import { itemRandom } from '../common/data-random.js';
import { type ShapeScene, sampleShapeScene } from './shape-scene.js';
import { COLOURS, HELD_OUT, SHAPES } from './shape-vocabulary.js';

/**
 * The two endless, randomly addressable sequences of scenes: training scenes of the seen (shape, colour)
 * combinations, and evaluation scenes of the held-out ones. Plain numbers, so a worker can be given them.
 */
export interface ShapeStreams {
  readonly imageSize: number;
  /** Key of the training stream, from train.seed. */
  readonly trainKey: number;
  /** Key of the evaluation stream, from data.seed. */
  readonly evalKey: number;
}

export type ShapeStreamName = 'train' | 'eval';

const colourIndex = (name: string) => COLOURS.findIndex((c) => c.name === name);

/** The held-out colour of each shape, by shape index. */
const HELD_OUT_COLOUR = SHAPES.map((shape) => colourIndex(HELD_OUT.find((h) => h.shape === shape)!.colour));

/** Every (shape, colour) pair training shows: all but the held-out ones. */
export const TRAIN_COMBINATIONS: readonly (readonly [number, number])[] = SHAPES.flatMap((_, shape) =>
  COLOURS.map((_, colour) => [shape, colour] as const).filter(([, colour]) => colour !== HELD_OUT_COLOUR[shape]),
);

/**
 * Scene `index` of a stream, drawn from a generator of (stream key, index) alone. Training scenes pick a
 * seen combination uniformly; evaluation scene i shows shape i mod 7 in its held-out colour, so the classes
 * take turns and are balanced.
 */
export function shapeSceneAt(streams: ShapeStreams, stream: ShapeStreamName, index: number): ShapeScene {
  if (stream === 'train') {
    const rng = itemRandom(streams.trainKey, index);
    const [shape, colour] = TRAIN_COMBINATIONS[rng.int(TRAIN_COMBINATIONS.length)];
    return sampleShapeScene(rng, shape, colour, streams.imageSize);
  }
  const shape = index % SHAPES.length;
  return sampleShapeScene(itemRandom(streams.evalKey, index), shape, HELD_OUT_COLOUR[shape], streams.imageSize);
}
