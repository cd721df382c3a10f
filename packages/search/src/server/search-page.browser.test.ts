import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { indexImages } from '../pipeline/index-images.js';
import { ColourEmbedder } from '../testing/colour-embedder.js';
import { PAINTS, writeColourImage } from '../testing/colour-images.js';
import { launchChromium } from '../testing/launch-chromium.js';
import { WORKER } from '../testing/test-folders.test-support.js';
import { type RunningSearchServer, startSearchServer } from './start-search-server.js';

// The page in a real browser (Debian's Chromium through playwright-core) against a real server on 127.0.0.1.
// The expected first results follow from the painted colours (see ColourEmbedder), not from the server.
let dir: string;
let server: RunningSearchServer;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let foreignRequests: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipkit-page-'));
  for (const [name, rgb] of Object.entries(PAINTS)) await writeColourImage(join(dir, 'photos', `${name}.png`), rgb, 120, 90);
  await writeColourImage(join(dir, 'query-blue.jpg'), [40, 60, 210], 64, 64); // not indexed
  await writeColourImage(join(dir, 'query-green.webp'), [30, 180, 60], 64, 64);
  const embedder = new ColourEmbedder();
  const db = join(dir, 'db');
  await indexImages({ root: join(dir, 'photos'), dbPath: db, embedder, progressBar: false, workerScript: WORKER });
  server = await startSearchServer({ dbPath: db, embedder, port: 0, workerScript: WORKER });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  page = await browser.newPage();
  pageErrors = [];
  foreignRequests = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith(server.url) && !request.url().startsWith('blob:')) foreignRequests.push(request.url());
  });
  await page.goto(server.url);
  await page.locator('#status', { hasText: '10 images indexed' }).waitFor();
});

afterEach(async () => {
  await page.close();
  expect(pageErrors).toEqual([]);
  expect(foreignRequests).toEqual([]);
});

/** The paths of the results shown, in order, once the status reports the results `described` (not "Searching ..."). */
async function shownPaths(described: string): Promise<string[]> {
  await page.locator('#status', { hasText: `images ${described} (` }).waitFor();
  return page.locator('#results button').evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.path ?? ''));
}

/** The paint whose direction is closest to `rgb`'s, other than `except`: the expected first "more like" result. */
function nearestPaint(rgb: readonly number[], except: string): string {
  const query = ColourEmbedder.colourVector(rgb);
  const scored = Object.entries(PAINTS)
    .filter(([name]) => name !== except)
    .map(([name, paint]) => ({ name, score: ColourEmbedder.colourVector(paint).reduce((sum, x, i) => sum + x * query[i], 0) }));
  return `${scored.sort((a, b) => b.score - a.score)[0].name}.png`;
}

describe('search page', () => {
  it('shows the image matching a typed query first, with its thumbnail', async () => {
    await page.locator('#query').fill('yellow');
    await page.locator('#query').press('Enter');
    const paths = await shownPaths('for “yellow”');
    expect(paths[0]).toBe('yellow.png');
    expect(paths).toHaveLength(10);
    const thumbnail = page.locator('#results img').first();
    await expect.poll(() => thumbnail.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(120);
    expect(page.url()).toContain('?q=yellow');
  });

  it('searches with a chosen image file and with a dropped one', async () => {
    await page.locator('#image-input').setInputFiles(join(dir, 'query-blue.jpg'));
    expect((await shownPaths('like query-blue.jpg'))[0]).toBe('blue.png');
    expect(await page.locator('#query-image').isVisible()).toBe(true);

    const bytes = [...(await readFile(join(dir, 'query-green.webp')))];
    await page.evaluate((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'query-green.webp', { type: 'image/webp' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    expect((await shownPaths('like query-green.webp'))[0]).toBe('green.png');
  });

  it('searches with a pasted image', async () => {
    const bytes = [...(await readFile(join(dir, 'query-blue.jpg')))];
    await page.evaluate((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'pasted.jpg', { type: 'image/jpeg' }));
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    expect((await shownPaths('like pasted.jpg'))[0]).toBe('blue.png');
  });

  it('shows more like a result when it is clicked, or reached with the arrow keys and chosen with Enter', async () => {
    await page.locator('#query').fill('orange');
    await page.locator('#query').press('Enter');
    await shownPaths('for “orange”');
    await page.locator('#results button[data-path="cyan.png"]').click();
    const likeCyan = await shownPaths('like cyan.png');
    expect(likeCyan[0]).toBe(nearestPaint(PAINTS.cyan, 'cyan'));
    expect(likeCyan).not.toContain('cyan.png');

    // Keyboard only: focus the first result, move right to the second, press Enter.
    await page.locator('#results button').first().focus();
    await page.keyboard.press('ArrowRight');
    const chosen = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.path!);
    expect(chosen).toBe(likeCyan[1]);
    await page.keyboard.press('Enter');
    const name = chosen.replace('.png', '');
    expect((await shownPaths(`like ${chosen}`))[0]).toBe(nearestPaint(PAINTS[name], name));
  });

  it('shows a refused upload as an error message and keeps working', async () => {
    await page.locator('#image-input').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
    await page.locator('#status.error', { hasText: '415' }).waitFor();
    await page.locator('#query').fill('magenta');
    await page.locator('#query').press('Enter');
    expect((await shownPaths('for “magenta”'))[0]).toBe('magenta.png');
  });
});
