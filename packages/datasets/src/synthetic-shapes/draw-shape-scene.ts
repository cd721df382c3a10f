import { SeededRandom } from '@clipkit/core';
import type { RgbImage } from '@clipkit/images';
import { insideShape } from './shape-outline.js';
import type { ShapeScene } from './shape-scene.js';
import { SHAPES } from './shape-vocabulary.js';

/** Sub-samples per pixel side: 4x4 = 16 coverage levels, enough antialiasing at 32x32. */
const SUPERSAMPLE = 4;
/** Uniform background noise of +-NOISE grey levels per channel, so a model cannot key on flat colour. */
const NOISE = 8;
/** Outlines reach slightly past radius 1 (the triangle's corners); the box drawn around a shape allows for it. */
const REACH = 1.2;

/** Rasterises a scene into 8-bit RGB pixels, antialiased by supersampling, over a noisy grey background. */
export function drawShapeScene(scene: ShapeScene, imageSize: number): RgbImage {
  const data = new Uint8Array(imageSize * imageSize * 3);
  const noise = new SeededRandom(scene.noiseSeed);
  let bits = 0;
  for (let i = 0; i < data.length; i++) {
    if (i % 4 === 0) bits = noise.nextUint32();
    // One random byte per value, scaled to 0..2 NOISE: four values per draw keeps this cheap.
    const offset = ((((bits >>> (8 * (i % 4))) & 0xff) * (2 * NOISE + 1)) >>> 8) - NOISE;
    data[i] = Math.min(255, Math.max(0, scene.background + offset));
  }

  const shape = SHAPES[scene.shape];
  const rgb = scene.rgb;
  const reach = REACH * scene.radius;
  const x0 = Math.max(0, Math.floor(scene.cx - reach));
  const x1 = Math.min(imageSize - 1, Math.ceil(scene.cx + reach));
  const y0 = Math.max(0, Math.floor(scene.cy - reach));
  const y1 = Math.min(imageSize - 1, Math.ceil(scene.cy + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let hits = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        const v = (y + (sy + 0.5) / SUPERSAMPLE - scene.cy) / scene.radius;
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const u = (x + (sx + 0.5) / SUPERSAMPLE - scene.cx) / scene.radius;
          if (insideShape(shape, u, v)) hits++;
        }
      }
      if (hits === 0) continue;
      const coverage = hits / (SUPERSAMPLE * SUPERSAMPLE);
      const p = (y * imageSize + x) * 3;
      for (let c = 0; c < 3; c++) data[p + c] = Math.round(data[p + c] * (1 - coverage) + rgb[c] * coverage);
    }
  }
  return { width: imageSize, height: imageSize, data };
}
