import { describe, expect, it } from 'vitest';
import { COLOUR_JITTER } from './shape-scene.js';
import { shapeSceneAt, TRAIN_COMBINATIONS } from './shape-streams.js';
import { COLOURS, HELD_OUT, POSITIONS, SHAPES, SIZES } from './shape-vocabulary.js';

const streams = { imageSize: 32, trainKey: 123, evalKey: 456 };
const heldOut = new Set(HELD_OUT.map((h) => `${h.colour} ${h.shape}`));
const comboName = (shape: number, colour: number) => `${COLOURS[colour].name} ${SHAPES[shape]}`;

describe('shape streams', () => {
  it('hold out one colour per shape and each colour once, leaving 42 combinations to train on', () => {
    expect(new Set(HELD_OUT.map((h) => h.shape)).size).toBe(SHAPES.length);
    expect(new Set(HELD_OUT.map((h) => h.colour)).size).toBe(COLOURS.length);
    expect(TRAIN_COMBINATIONS).toHaveLength(SHAPES.length * COLOURS.length - HELD_OUT.length);
    for (const [shape, colour] of TRAIN_COMBINATIONS) expect(heldOut.has(comboName(shape, colour))).toBe(false);
  });

  it('never draw a held-out combination in training, and draw every other one, size and position', () => {
    const seen = new Set<string>();
    const sizes = new Set<number>();
    const positions = new Set<number>();
    const wrongCaptions: string[] = [];
    const wrongShades: number[] = [];
    for (let k = 0; k < 20_000; k++) {
      const scene = shapeSceneAt(streams, 'train', k);
      seen.add(comboName(scene.shape, scene.colour));
      sizes.add(scene.size);
      positions.add(scene.position);
      // The caption names the scene's shape, and no colour but the scene's.
      const words = scene.caption.split(' ');
      const otherColour = COLOURS.some((colour, i) => i !== scene.colour && words.includes(colour.name));
      if (scene.rgb.some((level, c) => Math.abs(level - COLOURS[scene.colour].rgb[c]) > COLOUR_JITTER)) wrongShades.push(k);
      if (!words.includes(SHAPES[scene.shape]) || otherColour || [...heldOut].some((h) => scene.caption.includes(h))) wrongCaptions.push(scene.caption);
    }
    expect([...seen].filter((combo) => heldOut.has(combo))).toEqual([]);
    expect(seen.size).toBe(TRAIN_COMBINATIONS.length);
    expect(sizes.size).toBe(SIZES.length);
    expect(positions.size).toBe(POSITIONS.length);
    expect(wrongCaptions).toEqual([]);
    expect(wrongShades).toEqual([]);
  });

  it('show only held-out combinations in evaluation, the shapes in turn', () => {
    for (let i = 0; i < 70; i++) {
      const scene = shapeSceneAt(streams, 'eval', i);
      expect(scene.shape).toBe(i % SHAPES.length);
      expect(heldOut.has(comboName(scene.shape, scene.colour))).toBe(true);
    }
  });

  it('give scene k from (key, k) alone: the same scene for the same key, another for another key', () => {
    expect(shapeSceneAt(streams, 'train', 777)).toEqual(shapeSceneAt({ ...streams }, 'train', 777));
    const other = { ...streams, trainKey: 124 };
    const differs = [0, 1, 2, 3, 4].some((k) => JSON.stringify(shapeSceneAt(other, 'train', k)) !== JSON.stringify(shapeSceneAt(streams, 'train', k)));
    expect(differs).toBe(true);
  });

  it('keep every shape inside the image', () => {
    const outside: number[] = [];
    for (let k = 0; k < 5_000; k++) {
      const { cx, cy, radius } = shapeSceneAt(streams, 'train', k);
      // No outline reaches more than one radius from the centre along x or y.
      if (Math.min(cx - radius, cy - radius, 32 - cx - radius, 32 - cy - radius) < 0) outside.push(k);
    }
    expect(outside).toEqual([]);
  });
});
