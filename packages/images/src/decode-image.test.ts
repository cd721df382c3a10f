import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { ClipkitError } from '@clipkit/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_IMAGE_PIXELS, decodeImage } from './decode-image.js';

const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/preprocess/`;

/** PNG colour types. */
const GREY = 0;
const RGB = 2;
const PALETTE = 3;
const GREY_ALPHA = 4;
const RGBA = 6;
const CHANNELS: Record<number, number> = { [GREY]: 1, [RGB]: 3, [PALETTE]: 1, [GREY_ALPHA]: 2, [RGBA]: 4 };

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/**
 * A minimal PNG encoder, so the stored samples are known independently of any decoder. `samples` are
 * row-major, 8- or 16-bit per the bit depth; `extra` chunks (PLTE, tRNS, iCCP) go before IDAT.
 */
function encodePng(width: number, height: number, colourType: number, bitDepth: 8 | 16, samples: number[], extra: Buffer[] = []): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([bitDepth, colourType, 0, 0, 0], 8);
  const bytesPerSample = bitDepth / 8;
  const rowBytes = width * CHANNELS[colourType] * bytesPerSample;
  const raw = Buffer.alloc(height * (rowBytes + 1)); // each row: filter byte 0 (None), then samples big-endian
  samples.forEach((s, i) => {
    const row = Math.floor((i * bytesPerSample) / rowBytes);
    const at = row * (rowBytes + 1) + 1 + ((i * bytesPerSample) % rowBytes);
    if (bitDepth === 16) raw.writeUInt16BE(s, at);
    else raw[at] = s;
  });
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), ...extra, chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

describe('decodeImage', () => {
  let dir: string;
  const write = async (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };
  const decodeBytes = async (bytes: Uint8Array) => [...(await decodeImage(bytes)).data];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clipkit-images-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('as PIL convert("RGB")', () => {
    it('replicates greyscale (mode L) into R, G and B', async () => {
      const image = await decodeImage(encodePng(3, 1, GREY, 8, [0, 77, 255]));
      expect(image).toMatchObject({ width: 3, height: 1 });
      expect([...image.data]).toEqual([0, 0, 0, 77, 77, 77, 255, 255, 255]);
    });

    it('drops alpha without compositing (LA and RGBA): a transparent pixel keeps its colour', async () => {
      expect(await decodeBytes(encodePng(2, 1, GREY_ALPHA, 8, [10, 0, 200, 128]))).toEqual([10, 10, 10, 200, 200, 200]);
      expect(await decodeBytes(encodePng(2, 1, RGBA, 8, [1, 2, 3, 0, 250, 251, 252, 255]))).toEqual([1, 2, 3, 250, 251, 252]);
    });

    it('expands a palette (with transparency) to its colours', async () => {
      const palette = chunk('PLTE', Uint8Array.from([10, 20, 30, 200, 100, 50]));
      const transparency = chunk('tRNS', Uint8Array.from([0, 255]));
      expect(await decodeBytes(encodePng(3, 1, PALETTE, 8, [1, 0, 1], [palette, transparency]))).toEqual([200, 100, 50, 10, 20, 30, 200, 100, 50]);
    });

    it('keeps the high byte of 16-bit RGB (PIL unpacks "RGB;16B")', async () => {
      expect(await decodeBytes(encodePng(1, 1, RGB, 16, [0x12ff, 0x80ff, 0x0080]))).toEqual([0x12, 0x80, 0x00]);
    });

    it('clips 16-bit greyscale to 0..255 (PIL opens it as mode I, and I -> RGB clips)', async () => {
      expect(await decodeBytes(encodePng(4, 1, GREY, 16, [0x0010, 0x00ff, 0x0100, 0x12ff]))).toEqual([16, 16, 16, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
    });

    it('ignores an embedded ICC profile (PIL does not colour-manage on open)', async () => {
      // A Display P3 profile, as sharp embeds it; the stored samples must come back untouched.
      const p3 = await sharp(Buffer.from([0, 0, 0]), { raw: { width: 1, height: 1, channels: 3 } })
        .withIccProfile('p3')
        .png()
        .toBuffer();
      const icc = (await sharp(p3).metadata()).icc!;
      const iccp = chunk('iCCP', Buffer.concat([Buffer.from('P3\0\0', 'latin1'), deflateSync(icc)]));
      const stored = [200, 100, 50, 30, 160, 220];
      const png = encodePng(2, 1, RGB, 8, stored, [iccp]);
      expect((await sharp(png).metadata()).hasProfile).toBe(true);
      // The profile matters: sharp's default decode converts these samples to other sRGB values.
      expect([...(await sharp(png).raw().toBuffer())]).not.toEqual(stored);
      expect(await decodeBytes(png)).toEqual(stored);
    });

    it('does not rotate by EXIF orientation (PIL open does not)', async () => {
      const pixels = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 9, 9, 9]); // 3x2
      const jpeg = await sharp(pixels, { raw: { width: 3, height: 2, channels: 3 } })
        .jpeg()
        .withMetadata({ orientation: 6 })
        .toBuffer();
      expect((await sharp(jpeg).metadata()).orientation).toBe(6);
      expect(await decodeImage(jpeg)).toMatchObject({ width: 3, height: 2 });
    });

    it('converts CMYK as PIL does, R = 255 - K - round(C * (255 - K) / 255), without the ICC transform', async () => {
      const pixels = Buffer.from([200, 100, 50, 10, 220, 130, 90, 90, 90, 0, 0, 0]); // 2x2
      const jpeg = await sharp(pixels, { raw: { width: 2, height: 2, channels: 3 } })
        .toColourspace('cmyk')
        .jpeg({ quality: 100 })
        .toBuffer();
      const cmyk = await sharp(jpeg, { ignoreIcc: true }).pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer();
      expect(cmyk.length).toBe(16);
      const expected: number[] = [];
      for (let i = 0; i < 4; i++) {
        const notK = 255 - cmyk[i * 4 + 3];
        for (let c = 0; c < 3; c++) expected.push(notK - Math.round((cmyk[i * 4 + c] * notK) / 255));
      }
      expect(await decodeBytes(jpeg)).toEqual(expected);
    });

    it('decodes lossless WebP to the encoded pixels', async () => {
      const pixels = Buffer.from(Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256));
      const webp = await sharp(pixels, { raw: { width: 5, height: 3, channels: 3 } })
        .webp({ lossless: true })
        .toBuffer();
      expect(await decodeBytes(webp)).toEqual([...pixels]);
    });

    it('reads the same pixels from a path and from bytes', async () => {
      const bytes = await readFile(`${FIXTURES}tiny_98x61.png`);
      const fromPath = await decodeImage(`${FIXTURES}tiny_98x61.png`);
      expect(fromPath).toMatchObject({ width: 98, height: 61 });
      expect(Buffer.compare(fromPath.data, (await decodeImage(new Uint8Array(bytes))).data)).toBe(0);
    });
  });

  describe('errors name the file and say what to do', () => {
    it('a truncated PNG', async () => {
      const bytes = await readFile(`${FIXTURES}photo_640x480.png`);
      const path = await write('truncated.png', bytes.subarray(0, bytes.length >> 1));
      await expect(decodeImage(path)).rejects.toThrow(ClipkitError);
      await expect(decodeImage(path)).rejects.toThrow(/truncated\.png.*(truncated or corrupt|cannot read)/);
    });

    it('a file of random bytes, an empty file and a missing file', async () => {
      const garbage = await write(
        'garbage.jpg',
        Uint8Array.from({ length: 256 }, (_, i) => (i * 97 + 13) % 256),
      );
      await expect(decodeImage(garbage)).rejects.toThrow(/garbage\.jpg: cannot read the image .*PNG, JPEG or WebP/);
      await expect(decodeImage(await write('empty.png', new Uint8Array(0)))).rejects.toThrow(/empty\.png: cannot read/);
      await expect(decodeImage(join(dir, 'missing.png'))).rejects.toThrow(/missing\.png: cannot read/);
      await expect(decodeImage(new Uint8Array(7))).rejects.toThrow(/image buffer \(7 bytes\)/);
    });

    it('an image of more pixels than the limit, refused from its header before decoding (issue 16)', async () => {
      // The header and first row of a 16,000 x 16,000 RGB PNG: a decoder would need 768 MB for its pixels.
      const header = Buffer.alloc(13);
      header.writeUInt32BE(16000, 0);
      header.writeUInt32BE(16000, 4);
      header.set([8, RGB, 0, 0, 0], 8);
      const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const path = await write(
        'huge.png',
        Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(16000 * 3 + 1))), chunk('IEND', new Uint8Array(0))]),
      );
      await expect(decodeImage(path)).rejects.toThrow(ClipkitError);
      await expect(decodeImage(path)).rejects.toThrow(`${path}: 16000 x 16000 pixels is more than the limit of ${DEFAULT_MAX_IMAGE_PIXELS} (64 megapixels)`);
      // The limit is an option: a 3 x 2 image passes at 6 pixels and is refused at 5.
      const small = encodePng(3, 2, GREY, 8, [1, 2, 3, 4, 5, 6]);
      expect((await decodeImage(small, { maxPixels: 6 })).width).toBe(3);
      await expect(decodeImage(small, { maxPixels: 5 })).rejects.toThrow('3 x 2 pixels is more than the limit of 5');
      process.env.CLIPKIT_MAX_IMAGE_PIXELS = '5';
      try {
        await expect(decodeImage(small)).rejects.toThrow('3 x 2 pixels is more than the limit of 5');
        process.env.CLIPKIT_MAX_IMAGE_PIXELS = 'lots';
        await expect(decodeImage(small)).rejects.toThrow('the image pixel limit CLIPKIT_MAX_IMAGE_PIXELS=lots is not a positive integer');
      } finally {
        delete process.env.CLIPKIT_MAX_IMAGE_PIXELS;
      }
    });

    it('a format other than PNG, JPEG or WebP', async () => {
      const gif = await sharp(Buffer.from([1, 2, 3]), { raw: { width: 1, height: 1, channels: 3 } })
        .gif()
        .toBuffer();
      const path = await write('anim.gif', gif);
      await expect(decodeImage(path)).rejects.toThrow(/anim\.gif: gif images are not supported.*convert/);
    });
  });
});
