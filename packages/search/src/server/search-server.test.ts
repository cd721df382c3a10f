import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageId } from '../index/image-id.js';
import { ImageIndex } from '../index/image-index.js';
import { indexImages } from '../pipeline/index-images.js';
import { ColourEmbedder } from '../testing/colour-embedder.js';
import { PAINTS, writeColourImage } from '../testing/colour-images.js';
import { WORKER } from '../testing/test-folders.test-support.js';
import { createSearchServer } from './search-server.js';
import { startSearchServer } from './start-search-server.js';

let dir: string;
let db: string;
let index: ImageIndex;
let app: FastifyInstance;
const embedder = new ColourEmbedder();
const LIMITS = { maxUploadBytes: 64 * 1024, maxImagePixels: 1_000_000, requestTimeoutMs: 5000, maxResults: 20 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipkit-server-'));
  db = join(dir, 'db');
  for (const [name, rgb] of Object.entries(PAINTS)) await writeColourImage(join(dir, 'photos', `${name}.png`), rgb, 400, 200);
  await indexImages({ root: join(dir, 'photos'), dbPath: db, embedder, progressBar: false, workerScript: WORKER });
  index = await ImageIndex.open(db);
  app = await createSearchServer({ index, embedder, limits: LIMITS, log: () => undefined });
});

afterAll(async () => {
  await app.close();
  index.close();
  await rm(dir, { recursive: true, force: true });
});

async function pngOf(rgb: readonly number[], width = 20, height = 20): Promise<Buffer> {
  const [r, g, b] = rgb;
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
}

/** The server still answers after a refused request. */
async function expectServing(): Promise<void> {
  const health = await app.inject({ method: 'GET', url: '/api/health' });
  expect(health.statusCode).toBe(200);
  expect(health.json()).toMatchObject({ status: 'ok', images: 10, approximate: false, model: { id: 'colour-embedder-v1', embedDim: 3 } });
}

/** A refused request: a JSON error with the status and a message that says what to do, and the server goes on. */
async function expectRefused(response: { statusCode: number; json(): unknown; headers: Record<string, unknown> }, status: number, message: string): Promise<void> {
  expect(response.headers['content-type']).toContain('application/json');
  expect({ statusCode: response.statusCode, body: response.json() }).toMatchObject({ statusCode: status, body: { statusCode: status, message: expect.stringContaining(message) } });
  await expectServing();
}

describe('search server API', () => {
  it('serves the page, its script and style, with a policy that loads nothing from elsewhere', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<script type="module" src="/app.js">');
    expect(page.body).not.toMatch(/https?:\/\//);
    expect((await app.inject({ method: 'GET', url: '/app.js' })).headers['content-type']).toContain('javascript');
    expect((await app.inject({ method: 'GET', url: '/style.css' })).headers['content-type']).toContain('text/css');
  });

  it('searches by text, by uploaded image bytes and by indexed id', async () => {
    const text = await app.inject({ method: 'POST', url: '/api/search/text', payload: { text: 'yellow', k: 3 } });
    expect(text.statusCode).toBe(200);
    const results = text.json().results;
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({ id: imageId('yellow.png'), path: 'yellow.png', width: 400, height: 200, probability: null });

    const upload = await app.inject({ method: 'POST', url: '/api/search/image?k=2', headers: { 'content-type': 'image/png' }, payload: await pngOf([10, 20, 200]) });
    expect(upload.statusCode).toBe(200);
    expect(upload.json().results.map((r: { path: string }) => r.path)).toEqual(['blue.png', 'purple.png']);

    const similar = await app.inject({ method: 'POST', url: '/api/search/similar', payload: { id: imageId('dark-red.png'), k: 1 } });
    expect(similar.json().results[0].path).toBe('red.png');

    const record = await app.inject({ method: 'GET', url: `/api/images/${imageId('cyan.png')}` });
    expect(record.json()).toMatchObject({ id: imageId('cyan.png'), path: 'cyan.png', width: 400, height: 200 });
  });

  it('serves WebP thumbnails that keep the aspect ratio and the colour, and the original file', async () => {
    const id = imageId('green.png');
    const thumbnail = await app.inject({ method: 'GET', url: `/api/images/${id}/thumbnail` });
    expect(thumbnail.statusCode).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
    const { info, data } = await sharp(thumbnail.rawPayload).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([256, 128]); // 400 x 200 fitted inside 256 x 256
    expect(Math.max(...[...data.subarray(0, 3)].map((c, i) => Math.abs(c - PAINTS.green[i])))).toBeLessThan(8); // a corner pixel: the paint
    const original = await app.inject({ method: 'GET', url: `/api/images/${id}/file` });
    expect(original.headers['content-type']).toBe('image/png');
    expect(original.rawPayload.equals(await readFile(join(dir, 'photos', 'green.png')))).toBe(true);
  });

  it('refuses an oversized upload with 413', async () => {
    const big = Buffer.concat([await pngOf([1, 2, 3]), Buffer.alloc(LIMITS.maxUploadBytes)]);
    await expectRefused(await app.inject({ method: 'POST', url: '/api/search/image', headers: { 'content-type': 'image/png' }, payload: big }), 413, 'Request body is too large');
  });

  it('refuses an image of too many pixels from its header alone, with 413', async () => {
    const huge = await pngOf([0, 0, 0], 2000, 1000); // 2 million pixels of one colour: a small file
    expect(huge.byteLength).toBeLessThan(LIMITS.maxUploadBytes);
    await expectRefused(
      await app.inject({ method: 'POST', url: '/api/search/image', headers: { 'content-type': 'image/png' }, payload: huge }),
      413,
      'has 2000000 pixels, more than the 1000000',
    );
  });

  it('refuses bytes that are not an image with 415, and a corrupt image with 400', async () => {
    await expectRefused(
      await app.inject({ method: 'POST', url: '/api/search/image', headers: { 'content-type': 'image/png' }, payload: Buffer.from('hello, not a picture') }),
      415,
      'are not an image',
    );
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    await expectRefused(
      await app.inject({ method: 'POST', url: '/api/search/image', headers: { 'content-type': 'image/gif' }, payload: gif }),
      415,
      'gif images are not supported',
    );
    const noise = Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251);
    const jpeg = await sharp(noise, { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer();
    await expectRefused(
      await app.inject({ method: 'POST', url: '/api/search/image', headers: { 'content-type': 'image/jpeg' }, payload: jpeg.subarray(0, jpeg.byteLength / 2) }),
      400,
      'the uploaded image',
    );
    await expectRefused(await app.inject({ method: 'POST', url: '/api/search/image', payload: { text: 'red' } }), 415, 'send the image file itself as the body');
  });

  it('refuses invalid JSON, missing or oversized fields and a bad k with 400', async () => {
    await expectRefused(
      await app.inject({ method: 'POST', url: '/api/search/text', headers: { 'content-type': 'application/json' }, payload: '{"text": "red",' }),
      400,
      'not valid JSON',
    );
    await expectRefused(await app.inject({ method: 'POST', url: '/api/search/text', payload: { k: 3 } }), 400, "must have required property 'text'");
    await expectRefused(await app.inject({ method: 'POST', url: '/api/search/text', payload: { text: 'x'.repeat(1001) } }), 400, 'must NOT have more than 1000 characters');
    await expectRefused(await app.inject({ method: 'POST', url: '/api/search/text', payload: { text: 'red', k: 21 } }), 400, 'must be <= 20');
    await expectRefused(await app.inject({ method: 'POST', url: '/api/search/text', payload: { text: '   ' } }), 400, 'the search text is empty');
    await expectRefused(
      await app.inject({ method: 'POST', url: '/api/search/image?k=abc', headers: { 'content-type': 'image/png' }, payload: await pngOf([1, 2, 3]) }),
      400,
      'must be integer',
    );
  });

  it('refuses path-traversal strings and ids that name no image, reaching no file', async () => {
    for (const id of ['..%2F..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fpasswd', 'C%3A%5Cwindows%5Cwin.ini', `${imageId('red.png')}%00`]) {
      await expectRefused(await app.inject({ method: 'GET', url: `/api/images/${id}/thumbnail` }), 400, 'is not an image id');
      await expectRefused(await app.inject({ method: 'GET', url: `/api/images/${id}/file` }), 400, 'is not an image id');
    }
    await expectRefused(await app.inject({ method: 'GET', url: '/api/images/../../../etc/passwd' }), 404, 'no GET');
    await expectRefused(await app.inject({ method: 'GET', url: '/../../etc/passwd' }), 404, 'no GET');
    await expectRefused(await app.inject({ method: 'GET', url: '/%2e%2e/%2e%2e/etc/passwd' }), 404, 'no GET');
    await expectRefused(await app.inject({ method: 'POST', url: '/api/search/similar', payload: { id: '../../etc/passwd' } }), 400, 'is not an image id');
    const unknown = 'f'.repeat(24);
    await expectRefused(await app.inject({ method: 'POST', url: '/api/search/similar', payload: { id: unknown } }), 404, `no image with id ${unknown}`);
    await expectRefused(await app.inject({ method: 'GET', url: `/api/images/${unknown}/thumbnail` }), 404, `no image with id ${unknown}`);
  });

  it('answers a request the model cannot reach in time with 503, and drops it from the queue', async () => {
    // A 1 s limit leaves a loaded machine (load average 16 on 2 cores) time for the health check's row count.
    const slow = new ColourEmbedder({ delayMs: 3000 });
    const server = await createSearchServer({ index, embedder: slow, limits: { ...LIMITS, requestTimeoutMs: 1000 }, log: () => undefined });
    try {
      const search = (text: string) => server.inject({ method: 'POST', url: '/api/search/text', payload: { text } });
      const [first, second] = await Promise.all([search('red'), new Promise((r) => setTimeout(r, 20)).then(() => search('blue'))]);
      expect(first.statusCode).toBe(503);
      expect(second.statusCode).toBe(503);
      expect(second.json().message).toContain('no answer within 1000 ms');
      await new Promise((r) => setTimeout(r, 3200));
      // "red" reached the model before its time ran out; "blue" waited behind it and left the queue unembedded.
      expect(slow.calls).toEqual([{ kind: 'texts', texts: ['red'] }]);
      expect((await server.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('listens on 127.0.0.1 unless told otherwise, and decodes uploads on a worker', async () => {
    const running = await startSearchServer({ dbPath: db, embedder, port: 0, workerScript: WORKER, log: () => undefined });
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(running.app.server.address()).toMatchObject({ address: '127.0.0.1' });
      const response = await fetch(`${running.url}/api/search/image?k=1`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: new Uint8Array(await pngOf(PAINTS.magenta)),
      });
      const body = (await response.json()) as { results: { path: string }[] };
      expect(body, JSON.stringify(body)).toHaveProperty('results');
      expect(body.results[0].path).toBe('magenta.png');
    } finally {
      await running.close();
    }
  });

  it('refuses to serve an index with another model', async () => {
    await expect(startSearchServer({ dbPath: db, embedder: new ColourEmbedder({ modelId: 'other' }), port: 0, workerScript: WORKER })).rejects.toThrow(
      'cannot be used with this model',
    );
  });
});
