import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanImages } from './scan-images.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'clipkit-scan-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function touch(path: string, bytes = 'x'): Promise<void> {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), bytes);
}

describe('scanImages', () => {
  it('finds images of every decodable format recursively, in path order, with size and mtime', async () => {
    for (const path of ['b.png', 'a/deep/c.JPG', 'a/d.jpeg', 'e.webp', 'notes.txt', 'a/f.gif', 'a/g.png.bak']) await touch(path, 'abc');
    const { files, skipped } = await scanImages(root);
    expect(files.map((f) => f.path)).toEqual(['a/d.jpeg', 'a/deep/c.JPG', 'b.png', 'e.webp']);
    expect(files[0]).toMatchObject({ absolute: join(root, 'a', 'd.jpeg'), size: 3 });
    expect(files[0].mtime).toBeGreaterThan(0);
    expect(skipped).toEqual([]);
  });

  it('follows folder links once by real path, so a loop ends and a second link adds nothing', async () => {
    await touch('photos/x.png');
    await touch('photos/sub/y.png');
    await symlink(root, join(root, 'photos', 'sub', 'loop')); // back to the root
    await symlink(join(root, 'photos'), join(root, 'z-again')); // the same folder twice
    await symlink(join(root, 'photos', 'x.png'), join(root, 'link.png')); // a file link is followed
    const { files } = await scanImages(root);
    expect(files.map((f) => f.path)).toEqual(['link.png', 'photos/sub/y.png', 'photos/x.png']);
  });

  it('reaches a linked folder outside the root through its link', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'clipkit-scan-outside-'));
    try {
      await writeFile(join(outside, 'o.png'), 'x');
      await symlink(outside, join(root, 'elsewhere'));
      expect((await scanImages(root)).files.map((f) => f.path)).toEqual(['elsewhere/o.png']);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('lists dangling links to images as skipped', async () => {
    await symlink(join(root, 'missing.png'), join(root, 'dangling.png'));
    await symlink(join(root, 'missing-folder'), join(root, 'dangling-folder'));
    const { files, skipped } = await scanImages(root);
    expect(files).toEqual([]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].path).toBe('dangling.png');
    expect(skipped[0].reason).toContain('broken symbolic link');
  });
});
