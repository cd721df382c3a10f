import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listImageFiles } from './image-files.js';

describe('listImageFiles', () => {
  it('takes files as given and folders as their images, recursively, in sorted order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-images-'));
    mkdirSync(join(dir, 'sub'));
    for (const f of ['b.png', 'a.JPG', 'notes.txt', 'sub/c.webp', 'sub/d.jpeg']) writeFileSync(join(dir, f), '');
    expect(listImageFiles([join(dir, 'notes.txt'), dir])).toEqual([join(dir, 'notes.txt'), ...['a.JPG', 'b.png', 'sub/c.webp', 'sub/d.jpeg'].map((f) => join(dir, f))]);
  });

  it('names a missing path and a folder without images', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-images-'));
    expect(() => listImageFiles([join(dir, 'missing.png')])).toThrow(`image ${join(dir, 'missing.png')} does not exist`);
    expect(() => listImageFiles([dir])).toThrow(`folder ${dir} holds no .png, .jpg, .jpeg or .webp images`);
  });
});
