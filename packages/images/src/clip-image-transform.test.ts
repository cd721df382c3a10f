import { type HostTensor, readSafetensors, SafetensorsFile } from '@clipkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centerCropOffset } from './center-crop.js';
import { ClipImageTransform } from './clip-image-transform.js';
import { CLIP_MEAN, CLIP_STD } from './clip-mean-std.js';
import { decodeImage } from './decode-image.js';
import { shortestEdgeSize } from './resize-shortest-edge.js';
import type { RgbImage } from './rgb-image.js';

const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/preprocess/`;
const EXPECTED = `${FIXTURES}expected.safetensors`;

// fixtures/preprocess/README.md: a faithful port of PIL's resize leaves only float32 rounding.
const EXACT_TOLERANCE = 1e-5;
// ... and a different JPEG decoder can only be held to a loose mean bound.
const JPEG_MEAN_TOLERANCE = 0.02;

/** Files decoded losslessly, so the pipeline must match `_transform(224)` exactly; `*.decoded.png` is PIL's decode of the JPEG key. */
const EXACT = ['photo_640x480.png', 'portrait_300x500.png', 'square_224x224_rgba.png', 'tiny_98x61.png', 'photo_1024x768.decoded.png', 'gray_200x150.decoded.png'];
const JPEGS = ['photo_1024x768.jpg', 'gray_200x150.jpg'];

const expectedKey = (file: string) => file.replace(/\.decoded\.png$/, '.jpg');

/** The fixture's __metadata__ for one image, e.g. "resized_w=298 resized_h=224 crop_top=0 crop_left=37 width=640 height=480 mode=RGB". */
function parseMetadata(text: string): Record<string, string> {
  return Object.fromEntries(text.split(' ').map((pair) => pair.split('=') as [string, string]));
}

function differences(actual: Float32Array, expected: Float32Array): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / expected.length };
}

describe('ClipImageTransform against OpenAI _transform(224) (fixtures/preprocess)', () => {
  const transform = new ClipImageTransform();
  let expected: Map<string, HostTensor>;
  let metadata: Readonly<Record<string, string>>;
  const report: string[] = [];

  beforeAll(async () => {
    expected = await readSafetensors(EXPECTED);
    const file = await SafetensorsFile.open(EXPECTED);
    metadata = file.metadata;
    await file.close();
  });

  afterAll(() => {
    console.log(`preprocess vs _transform(224), normalised units:\n${report.join('\n')}`);
  });

  it.each(EXACT)(`%s matches within ${EXACT_TOLERANCE}`, async (file) => {
    const key = expectedKey(file);
    const meta = parseMetadata(metadata[key]);
    const image = await decodeImage(FIXTURES + file);
    expect([image.width, image.height]).toEqual([Number(meta.width), Number(meta.height)]);
    // Sizes and offsets as torchvision computed them for this image.
    const resized = shortestEdgeSize(image.width, image.height, 224);
    expect([resized.width, resized.height]).toEqual([Number(meta.resized_w), Number(meta.resized_h)]);
    expect([centerCropOffset(resized.height, 224), centerCropOffset(resized.width, 224)]).toEqual([Number(meta.crop_top), Number(meta.crop_left)]);

    const reference = expected.get(key)!.data as Float32Array; // [3, 224, 224]
    const { max, mean } = differences(transform.transform(image), reference);
    report.push(`  ${file.padEnd(28)} max ${max.toExponential(2)}  mean ${mean.toExponential(2)}`);
    expect(max).toBeLessThanOrEqual(EXACT_TOLERANCE);

    // The README's invariant: the bytes after resize + crop are round((x * std + mean) * 255), exactly.
    const bytes = transform.resizeAndCrop(image).data; // [224, 224, 3]
    const plane = 224 * 224;
    let wrongBytes = 0;
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) if (bytes[i * 3 + c] !== Math.round((reference[c * plane + i] * CLIP_STD[c] + CLIP_MEAN[c]) * 255)) wrongBytes++;
    }
    expect(wrongBytes).toBe(0);
  });

  it.each(JPEGS)(`%s (sharp's JPEG decoder) is within mean |diff| ${JPEG_MEAN_TOLERANCE}`, async (file) => {
    const { max, mean } = differences(transform.transform(await decodeImage(FIXTURES + file)), expected.get(file)!.data as Float32Array);
    report.push(`  ${file.padEnd(28)} max ${max.toExponential(2)}  mean ${mean.toExponential(2)}  (JPEG decoder vs PIL's libjpeg)`);
    expect(mean).toBeLessThanOrEqual(JPEG_MEAN_TOLERANCE);
  });

  it('does not resample a 224x224 image: the crop holds the decoded pixels unchanged', async () => {
    const image = await decodeImage(`${FIXTURES}square_224x224_rgba.png`);
    expect(Buffer.compare(transform.resizeAndCrop(image).data, image.data)).toBe(0);
  });
});

describe('ClipImageTransform', () => {
  const image = (width: number, height: number, value: (i: number) => number): RgbImage => ({
    width,
    height,
    data: Uint8Array.from({ length: width * height * 3 }, (_, i) => value(i)),
  });

  it('normalises (x * rescale - mean) / std into CHW planes (hand-worked)', () => {
    const t = new ClipImageTransform({ size: null, cropSize: { height: 1, width: 2 }, mean: [0.5, 0, 0], std: [0.5, 1, 2] });
    // Pixels (255, 51, 0) and (0, 102, 255): R (1 - .5) / .5, (0 - .5) / .5; G /255; B /255 / 2.
    const out = t.transform({ width: 2, height: 1, data: Uint8Array.from([255, 51, 0, 0, 102, 255]) });
    expect([...out]).toEqual([1, -1, Math.fround(0.2), Math.fround(0.4), 0, 0.5]);
  });

  it('resizes the short side, then crops the centre, to the configured output size', () => {
    const t = new ClipImageTransform({ size: 8, cropSize: { height: 4, width: 6 } });
    expect([t.height, t.width]).toEqual([4, 6]);
    expect(t.resizeAndCrop(image(30, 20, () => 9))).toMatchObject({ width: 6, height: 4 });
    expect(t.transform(image(30, 20, () => 9)).length).toBe(3 * 4 * 6);
  });

  it('stacks a batch into NCHW, image by image', () => {
    const t = ClipImageTransform.forImageSize(4);
    const images = [image(5, 4, (i) => (i * 7) % 256), image(4, 9, (i) => (i * 13) % 256)];
    const { data, shape } = t.toPixelValues(images);
    expect(shape).toEqual([2, 3, 4, 4]);
    expect(data.subarray(0, 48)).toEqual(t.transform(images[0]));
    expect(data.subarray(48)).toEqual(t.transform(images[1]));
  });

  it('rejects impossible options', () => {
    expect(() => new ClipImageTransform({ std: [1, 0, 1] })).toThrow(/std/);
    expect(() => new ClipImageTransform({ cropSize: { height: 0, width: 3 } })).toThrow(/cropSize/);
    expect(() => new ClipImageTransform({ size: { height: 0, width: 3 } })).toThrow(/size 0x3 must be integers >= 1/);
    expect(() => new ClipImageTransform().transform({ width: 2, height: 2, data: new Uint8Array(4) })).toThrow(/needs 12 bytes, got 4/);
  });
});
