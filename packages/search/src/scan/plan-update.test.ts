import { describe, expect, it } from 'vitest';
import { imageId } from '../index/image-id.js';
import type { ImageRecord } from '../index/image-row.js';
import { planUpdate } from './plan-update.js';
import type { ScannedFile } from './scan-images.js';

const file = (path: string, size: number, mtime: number): ScannedFile => ({ path, absolute: `/root/${path}`, size, mtime });
const record = (path: string, size: number, mtime: number): ImageRecord => ({ id: imageId(path), path, size, mtime, hash: `hash of ${path}`, width: 1, height: 1 });

describe('planUpdate', () => {
  it('reads new files and files changed in size or mtime, keeps the rest, and removes rows of gone files', () => {
    const plan = planUpdate(
      [file('same.png', 10, 1000), file('new.png', 5, 1000), file('bigger.png', 11, 1000), file('touched.png', 10, 2000.5)],
      [record('same.png', 10, 1000), record('bigger.png', 10, 1000), record('touched.png', 10, 2000), record('gone.png', 10, 1000)],
    );
    expect(plan.unchanged).toBe(1);
    expect(plan.work.map((w) => [w.file.path, w.previous?.path ?? null])).toEqual([
      ['new.png', null],
      ['bigger.png', 'bigger.png'],
      ['touched.png', 'touched.png'],
    ]);
    expect(plan.work.map((w) => w.id)).toEqual(['new.png', 'bigger.png', 'touched.png'].map(imageId));
    expect(plan.removed.map((r) => r.path)).toEqual(['gone.png']);
  });

  it('gives paths distinct, stable hex ids', () => {
    expect(imageId('a/b.png')).toMatch(/^[0-9a-f]{24}$/);
    expect(imageId('a/b.png')).toBe(imageId('a/b.png'));
    expect(imageId('a/b.png')).not.toBe(imageId('a/c.png'));
  });
});
