import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './clip/fixtures.js';

// clipkit demo-images as a newcomer tries it: a new folder, an existing one, a file, a missing data folder.
const root = mkdtempSync(join(tmpdir(), 'clipkit-demo-images-'));
const oneLine = (stderr: string) => stderr.trim().split('\n');

describe('clipkit demo-images', () => {
  it('writes the images and captions.tsv into a new folder, its parents made', () => {
    const out = join(root, 'new', 'shapes');
    const run = runCli(['demo-images', 'shapes', '--out', out, '--count', '3']);
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(3);
    expect(readFileSync(join(out, 'captions.tsv'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(readdirSync(join(root, 'new'))).toEqual(['shapes']); // no staging folder left beside it
  });

  it('refuses a non-empty folder unchanged unless --force, and an --out that is a file, in one line with exit 1', () => {
    const out = join(root, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'mine.txt'), 'keep');
    const refused = runCli(['demo-images', 'shapes', '--out', out, '--count', '2']);
    expect(refused.status).toBe(1);
    expect(oneLine(refused.stderr)).toEqual([`clipkit: --out ${out} is not empty: give a new or empty folder, or pass --force to replace its contents`]);
    expect(readdirSync(out)).toEqual(['mine.txt']);
    const forced = runCli(['demo-images', 'shapes', '--out', out, '--count', '2', '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(readdirSync(out)).not.toContain('mine.txt');
    const file = join(root, 'file.png');
    writeFileSync(file, 'x');
    const onFile = runCli(['demo-images', 'shapes', '--out', file]);
    expect(onFile.status).toBe(1);
    expect(oneLine(onFile.stderr)).toEqual([`clipkit: --out ${file} is a file; give a folder to write`]);
  });

  it('leaves nothing behind when the Fashion-MNIST folder is missing', () => {
    const out = join(root, 'fashion');
    const run = runCli(['demo-images', 'fashion-mnist', '--out', out, '--data', join(root, 'no-such-data')]);
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain('no-such-data');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('staging'))).toEqual([]);
  });
});
