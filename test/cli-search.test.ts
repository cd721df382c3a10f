import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SafetensorsFile } from '@clipkit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyShapesConfig } from './tiny-shapes-config.js';

// clipkit demo-images, index, search and serve as a user runs them, on a tiny model trained for two steps.
// Rankings of an untrained model mean nothing, so the checks are invariants: an indexed image finds itself,
// the scores are the cosines `clipkit embed` computes on its own path, counts add up across re-runs.
const cli = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'clipkit-cli-search-'));
const images = join(dir, 'shapes');
const db = join(dir, 'db');
const COUNT = 40;
/** Cosines through the search path (worker-prepared batches, normalised in tfjs) and embed's: float32 rounding. */
const TOLERANCE = 1e-4;

const run = (...args: string[]) => spawnSync('node', [cli, ...args], { encoding: 'utf8', cwd: dir });

interface Result {
  rank: number;
  file: string;
  path: string;
  score: number;
}

function search(...args: string[]): Result[] {
  const found = run('search', '--db', db, '--json', ...args);
  expect(found.status, found.stderr).toBe(0);
  return (JSON.parse(found.stdout) as { results: Result[] }).results;
}

function trainTinyModel(name: string, seed: number): string {
  const config = writeTinyShapesConfig(join(dir, `${name}.json`), { data: { evalSize: 8 }, train: { seed } });
  const trained = run('train', '--config', config, '--out', join(dir, name));
  expect(trained.status, trained.stderr).toBe(0);
  return join(dir, name, 'checkpoint');
}

let model: string;

beforeAll(() => {
  model = trainTinyModel('tiny', 0);
  const written = run('demo-images', 'shapes', '--out', images, '--count', String(COUNT));
  expect(written.status, written.stderr).toBe(0);
}, 300_000);

describe('clipkit demo-images, index, search and serve', () => {
  it('writes labelled shape images and their captions', () => {
    const files = readdirSync(images).filter((f) => f.endsWith('.png'));
    expect(files).toHaveLength(COUNT);
    for (const file of files) expect(file).toMatch(/^\d{5}-(red|orange|yellow|green|blue|purple|white)-(circle|square|triangle|star|cross|ring|diamond)\.png$/);
    const captions = readFileSync(join(images, 'captions.tsv'), 'utf8').trim().split('\n');
    expect(captions[0]).toBe('filepath\ttitle');
    expect(
      captions
        .slice(1)
        .map((line) => line.split('\t')[0])
        .sort(),
    ).toEqual(files.sort());
  });

  it('indexes the folder, then re-indexes only what changed', () => {
    const first = run('index', images, '--model', model, '--db', db);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${COUNT} new, 0 changed, 0 touched, 0 unchanged, 0 removed, 0 skipped; ${COUNT} images in the index`);
    const again = run('index', images, '--model', model, '--db', db);
    expect(again.stdout).toContain(`0 new, 0 changed, 0 touched, ${COUNT} unchanged, 0 removed, 0 skipped; ${COUNT} images in the index`);
  });

  it('finds an indexed image first when searching with it, at cosine 1', () => {
    const query = join(images, readdirSync(images).find((f) => f.endsWith('.png'))!);
    const [best, second] = search('--image', query, '-k', '2');
    expect(best.file).toBe(query);
    expect(best.score).toBeCloseTo(1, 4);
    expect(second.score).toBeLessThanOrEqual(best.score);
  });

  it('scores a text query with the cosines `clipkit embed` computes', async () => {
    const results = search('a red circle', '-k', '5');
    expect(results.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    writeFileSync(join(dir, 'query.txt'), 'a red circle\n');
    const out = join(dir, 'embeds.safetensors');
    const embedded = run('embed', '--model', model, '--images', ...results.map((r) => r.file), '--texts', join(dir, 'query.txt'), '--out', out);
    expect(embedded.status, embedded.stderr).toBe(0);
    const file = await SafetensorsFile.open(out);
    const imageRows = (await file.read('image_embeds')).data as Float32Array;
    const text = (await file.read('text_embeds')).data as Float32Array;
    const files = JSON.parse(file.metadata.images) as string[]; // embed's row order
    await file.close();
    const unit = (v: Float32Array) => v.map((x) => x / Math.hypot(...v));
    const t = unit(text);
    for (const r of results) {
      const i = files.indexOf(r.file);
      const image = unit(imageRows.subarray(i * 32, (i + 1) * 32));
      const cosine = image.reduce((sum, x, d) => sum + x * t[d], 0);
      expect(Math.abs(r.score - cosine), r.path).toBeLessThan(TOLERANCE);
    }
    for (let i = 1; i < results.length; i++) expect(results[i].score).toBeLessThanOrEqual(results[i - 1].score);
  });

  it('drops the rows of deleted files', () => {
    const gone = readdirSync(images).find((f) => f.endsWith('.png'))!;
    rmSync(join(images, gone));
    const rerun = run('index', images, '--model', model, '--db', db);
    expect(rerun.stdout).toContain(`0 new, 0 changed, 0 touched, ${COUNT - 1} unchanged, 1 removed, 0 skipped; ${COUNT - 1} images in the index`);
    expect(search('--image', join(images, readdirSync(images).find((f) => f.endsWith('.png'))!), '-k', String(COUNT)).map((r) => r.path)).not.toContain(gone);
  });

  it('says in one line what is wrong: another model, a missing folder or index, two queries', () => {
    const other = trainTinyModel('other', 1);
    const cases: [string[], RegExp][] = [
      [['index', images, '--model', other, '--db', db], /cannot be used with this model: it was built with model [0-9a-f]{64} \(.*tiny\/checkpoint\), not [0-9a-f]{64}/],
      [['index', join(dir, 'nowhere'), '--model', model], /nowhere is not a folder: give the folder of images to index/],
      [['search', 'a cat', '--db', join(dir, 'no-index')], /no image index at .*no-index: build one first/],
      [['search', 'a cat', '--image', join(images, 'x.png'), '--db', db], /give either a text or --image FILE, not both/],
      [['search', '--db', db], /nothing to search for/],
    ];
    for (const [args, message] of cases) {
      const failed = run(...args);
      expect(failed.status, args.join(' ')).toBe(1);
      expect(failed.stderr).toMatch(message);
      expect(failed.stderr.trim().split('\n').at(-1)).toMatch(/^clipkit: /);
      expect(failed.stderr).not.toContain('    at ');
    }
  }, 300_000);

  it('serves the index on a free port until Ctrl-C', async () => {
    const server = spawn('node', [cli, 'serve', '--db', db, '--port', '0'], { cwd: dir });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]);
      });
      server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const health = (await (await fetch(`${url}/api/health`)).json()) as { status: string; images: number };
    expect(health).toMatchObject({ status: 'ok', images: COUNT - 1 });
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    server.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 120_000);
});
