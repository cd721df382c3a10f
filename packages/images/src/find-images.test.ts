import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findImages } from './find-images.js';

const dir = mkdtempSync(join(tmpdir(), 'clipkit-find-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('findImages', () => {
  it('lists image files at any depth in sorted order, by extension in any case', () => {
    const root = join(dir, 'plain');
    mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
    for (const f of ['b.png', 'a.JPG', 'notes.txt', 'sub/c.webp', 'sub/deeper/d.jpeg']) writeFileSync(join(root, f), '');
    expect(findImages(root)).toEqual({ files: ['a.JPG', 'b.png', 'sub/c.webp', 'sub/deeper/d.jpeg'].map((f) => join(root, f)), skipped: [] });
  });

  it('enters each real folder once, so links back up the tree (loop -> ., up -> ..) add nothing (issue 16)', () => {
    const root = join(dir, 'links', 'data');
    mkdirSync(join(root, 'cats'), { recursive: true });
    writeFileSync(join(root, 'cats', 'one.png'), '');
    writeFileSync(join(dir, 'links', 'outside.png'), '');
    symlinkSync('.', join(root, 'loop'));
    symlinkSync('..', join(root, 'cats', 'back'));
    symlinkSync('..', join(root, 'up'));
    symlinkSync(join(root, 'cats'), join(root, 'again'));
    const { files, skipped } = findImages(root);
    // "again" sorts before "cats", so the cats folder is listed under its first link; cats/back is data again;
    // "up" is the parent of data, whose outside.png is listed once and whose data folder is not entered again.
    expect(files).toEqual([join(root, 'again', 'one.png'), join(root, 'up', 'outside.png')]);
    expect(skipped).toEqual([]);
  });

  it('skips and reports a folder named like an image and a broken link, still listing the folder’s images', () => {
    const root = join(dir, 'odd');
    mkdirSync(join(root, 'x.png'), { recursive: true });
    writeFileSync(join(root, 'x.png', 'inner.jpg'), '');
    writeFileSync(join(root, 'good.png'), '');
    symlinkSync(join(root, 'absent.png'), join(root, 'dangling.png'));
    const { files, skipped } = findImages(root);
    expect(files).toEqual([join(root, 'good.png'), join(root, 'x.png', 'inner.jpg')]);
    expect(skipped.map((s) => s.path)).toEqual([join(root, 'dangling.png'), join(root, 'x.png')]);
    expect(skipped[0].reason).toContain('broken symbolic link (ENOENT');
    expect(skipped[1].reason).toContain('a folder, not an image file');
  });
});
