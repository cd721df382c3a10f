import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listImageFiles } from './image-files.js';

describe('listImageFiles', () => {
  it('takes files as given and folders as their images, recursively, in sorted order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-images-'));
    mkdirSync(join(dir, 'sub'));
    for (const f of ['b.png', 'a.JPG', 'notes.txt', 'sub/c.webp', 'sub/d.jpeg']) writeFileSync(join(dir, f), '');
    expect(listImageFiles([join(dir, 'notes.txt'), dir])).toEqual({
      files: [join(dir, 'notes.txt'), ...['a.JPG', 'b.png', 'sub/c.webp', 'sub/d.jpeg'].map((f) => join(dir, f))],
      skipped: [],
    });
  });

  it('lists an image once through a link loop and reports a folder named x.png instead of failing (issue 16)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-images-'));
    mkdirSync(join(dir, 'x.png'));
    writeFileSync(join(dir, 'a.png'), '');
    symlinkSync('.', join(dir, 'loop'));
    const { files, skipped } = listImageFiles([dir]);
    expect(files).toEqual([join(dir, 'a.png')]);
    expect(skipped.map((s) => s.path)).toEqual([join(dir, 'x.png')]);
  });

  it('names a missing path and a folder without images', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-images-'));
    expect(() => listImageFiles([join(dir, 'missing.png')])).toThrow(`image ${join(dir, 'missing.png')} does not exist`);
    expect(() => listImageFiles([dir])).toThrow(`folder ${dir} holds no .png, .jpg, .jpeg or .webp images`);
  });
});
