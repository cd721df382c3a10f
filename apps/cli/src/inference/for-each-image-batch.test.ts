import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTfjs } from '@clipkit/backend-tfjs';
import { ClipImageTransform } from '@clipkit/images';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachImageBatch } from './for-each-image-batch.js';

const dir = mkdtempSync(join(tmpdir(), 'clipkit-batches-'));
beforeAll(() => initTfjs({ device: 'cpu', log: () => {} }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('forEachImageBatch', () => {
  it('leaves an undecodable image out of its batch and returns it among the skipped, without leaking tensors (issue 16)', async () => {
    const files: string[] = [];
    for (const [name, red] of [
      ['a.png', 10],
      ['b.png', 20],
      ['c.png', 30],
    ] as const) {
      const file = join(dir, name);
      await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: red, g: 0, b: 0 } } })
        .png()
        .toFile(file);
      files.push(file);
    }
    const bad = join(dir, 'bad.png');
    writeFileSync(bad, 'not a png');
    const transform = new ClipImageTransform({ size: 2, cropSize: { height: 2, width: 2 }, mean: [0, 0, 0], std: [1, 1, 1] });
    const seen: { files: readonly string[]; reds: number[] }[] = [];
    const before = tf.memory().numTensors;
    const skipped = await forEachImageBatch([files[0], bad, files[1], files[2]], transform, 2, async (pixels, batch) => {
      const data = await pixels.data();
      seen.push({ files: batch, reds: batch.map((_, n) => Math.round(data[n * 12] * 255)) }); // channel 0, first pixel of image n
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([
      { files: [files[0]], reds: [10] },
      { files: [files[1], files[2]], reds: [20, 30] },
    ]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].path).toBe(bad);
    expect(skipped[0].reason).toContain(`${bad}: cannot read the image`);
  });
});
