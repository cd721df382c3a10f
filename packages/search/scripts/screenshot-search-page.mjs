// Takes docs/search-page.png: the search page in Chromium, on a demo index of generated pictures searched
// with the colour embedder (no model weights needed). Build first (npx nx run @clipkit/search:build), then:
//   node packages/search/scripts/screenshot-search-page.mjs [out.png]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { indexImages, startSearchServer } from '../dist/index.js';
import { ColourEmbedder } from '../dist/testing/colour-embedder.js';
import { launchChromium } from '../dist/testing/launch-chromium.js';

const out = process.argv[2] ?? fileURLToPath(new URL('../../../docs/search-page.png', import.meta.url));
const COLOURS = { red: '#d62d20', orange: '#f08a00', yellow: '#f2d21b', green: '#2e9e44', teal: '#1b9aaa', blue: '#2455d6', purple: '#7a2ed6', pink: '#e0449a' };
const SHAPES = {
  circle: (c) => `<circle cx="160" cy="120" r="80" fill="${c}"/>`,
  square: (c) => `<rect x="85" y="45" width="150" height="150" rx="12" fill="${c}"/>`,
  triangle: (c) => `<polygon points="160,30 260,210 60,210" fill="${c}"/>`,
};

/** A 320 x 240 picture: a shape of one colour on a pale ground of the same hue. */
function picture(colour, shape) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><rect width="320" height="240" fill="white"/><rect width="320" height="240" fill="${colour}" fill-opacity="0.22"/>${SHAPES[shape](colour)}</svg>`;
}

const dir = await mkdtemp(join(tmpdir(), 'clipkit-screenshot-'));
let server;
let browser;
try {
  for (const [name, colour] of Object.entries(COLOURS)) {
    for (const shape of Object.keys(SHAPES)) {
      const file = join(dir, 'pictures', shape, `${name}-${shape}.${shape === 'circle' ? 'jpg' : 'png'}`);
      await mkdir(dirname(file), { recursive: true });
      const image = sharp(Buffer.from(picture(colour, shape))).flatten({ background: '#ffffff' });
      await writeFile(file, await (shape === 'circle' ? image.jpeg({ quality: 90 }) : image.png()).toBuffer());
    }
  }
  const embedder = new ColourEmbedder();
  const db = join(dir, 'db');
  await indexImages({ root: join(dir, 'pictures'), dbPath: db, embedder, progressBar: false });
  server = await startSearchServer({ dbPath: db, embedder, port: 0 });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  await page.goto(server.url);
  await page.locator('#status', { hasText: 'images indexed' }).waitFor();
  await page.locator('#query').fill('orange');
  await page.locator('#query').press('Enter');
  await page.locator('#status', { hasText: 'images for “orange” (' }).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('#results img')].slice(0, 12).every((img) => img.complete && img.naturalWidth > 0));
  await page.locator('#results button').nth(1).focus(); // shows the keyboard focus ring
  await mkdir(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
}
