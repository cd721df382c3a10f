import { crc32 } from 'node:zlib';
import { mutate } from '@clipkit/checkpoints/testing';
import type { SeededRandom } from '@clipkit/core';
import { ClipImageTransform, decodeImage } from '@clipkit/images';
import sharp from 'sharp';
import { check, type FuzzInput, type FuzzTarget, outcomeOf } from '../fuzz-target.js';

const W = 37;
const H = 23;

/** A gradient image, so encoders have real content to compress. */
function gradient(channels: 3 | 4): Buffer {
  const data = Buffer.alloc(W * H * channels);
  for (let i = 0; i < W * H; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = (i * (c + 3) + 17 * c) % 256;
  return data;
}

/** A PNG that claims `width` x `height` pixels and holds only its first row: decoding it in full would need width x height x 3 bytes. */
function hugePng(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', new Uint8Array(0))]);
}

/** Seed images in every form decodeImage meets: PNG (RGB, RGBA, palette, 16-bit grey), JPEG (RGB, CMYK, progressive), WebP, animated GIF and WebP, and huge dimensions. */
async function seedImages(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const rgb = () => sharp(gradient(3), { raw: { width: W, height: H, channels: 3 } });
  const rgba = () => sharp(gradient(4), { raw: { width: W, height: H, channels: 4 } });
  const frames = (n: number) => sharp(Buffer.concat(Array.from({ length: n }, () => gradient(4))), { raw: { width: W, height: H * n, channels: 4, pageHeight: H } });
  return [
    { name: 'png rgb', bytes: await rgb().png().toBuffer() },
    { name: 'png rgba', bytes: await rgba().png().toBuffer() },
    { name: 'png palette', bytes: await rgb().png({ palette: true }).toBuffer() },
    { name: 'png grey16', bytes: await rgb().toColourspace('grey16').png().toBuffer() },
    { name: 'jpeg', bytes: await rgb().jpeg().toBuffer() },
    { name: 'jpeg cmyk', bytes: await rgb().toColourspace('cmyk').jpeg().toBuffer() },
    { name: 'jpeg progressive', bytes: await rgb().jpeg({ progressive: true }).toBuffer() },
    { name: 'webp lossy', bytes: await rgb().webp().toBuffer() },
    { name: 'webp lossless', bytes: await rgba().webp({ lossless: true }).toBuffer() },
    { name: 'webp animated', bytes: await frames(3).webp({ loop: 0 }).toBuffer() },
    { name: 'gif animated', bytes: await frames(3).gif().toBuffer() },
    { name: 'png 16000x16000', bytes: hugePng(16000, 16000) },
    { name: 'png 100000x1', bytes: hugePng(100000, 1) },
  ];
}

/** Image decoding and preprocessing (decodeImage, ClipImageTransform): truncated, corrupt and odd images of every kind. */
export const imageTarget: FuzzTarget = {
  name: 'image',
  description: 'decodeImage then the CLIP transform to 32 x 32: byte mutations of PNG, JPEG, WebP and GIF seeds (CMYK, 16-bit, palette, animated, huge)',
  async prepare() {
    const seeds = await seedImages();
    const transform = ClipImageTransform.forImageSize(32);
    return (random: SeededRandom): FuzzInput => {
      const seed = seeds[random.int(seeds.length)];
      const { bytes, description } = random.int(8) === 0 ? { bytes: seed.bytes, description: 'unchanged' } : mutate(seed.bytes, random);
      const run = async () => {
        const image = await decodeImage(bytes);
        check(image.data.length === image.width * image.height * 3, `${image.data.length} bytes for ${image.width} x ${image.height}`);
        const { data, shape } = transform.toPixelValues([image]);
        check(shape.join() === '1,3,32,32' && data.length === 3 * 32 * 32, `pixel values of shape [${shape}]`);
        check(data.every(Number.isFinite), 'a pixel value is not finite');
      };
      return { description: `${seed.name}: ${description}`, length: bytes.length, run: () => outcomeOf(run) };
    };
  },
};
