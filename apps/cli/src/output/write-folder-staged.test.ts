import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkNotSource, checkOutFolder, writeFolderStaged } from './write-folder-staged.js';

const parent = () => mkdtempSync(join(tmpdir(), 'clipkit-staged-'));
const writeFiles = (files: Record<string, string>) => async (dir: string) => {
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
};

describe('writeFolderStaged', () => {
  it('creates the folder, or replaces an existing one whole, leaving nothing beside it', async () => {
    const root = parent();
    const out = join(root, 'model');
    await writeFolderStaged(out, writeFiles({ 'a.json': '1' }));
    expect(readdirSync(out)).toEqual(['a.json']);
    await writeFolderStaged(out, writeFiles({ 'b.json': '2' }));
    expect(readdirSync(out)).toEqual(['b.json']);
    expect(readdirSync(root)).toEqual(['model']);
  });

  it('leaves the folder as it was when writing fails half-way', async () => {
    const root = parent();
    const out = join(root, 'model');
    await writeFolderStaged(out, writeFiles({ 'a.json': '1' }));
    const failing = async (dir: string) => {
      await writeFiles({ 'half.json': '' })(dir);
      throw new Error('disk full');
    };
    await expect(writeFolderStaged(out, failing)).rejects.toThrow('disk full');
    expect(readFileSync(join(out, 'a.json'), 'utf8')).toBe('1');
    expect(readdirSync(root)).toEqual(['model']);
  });
});

describe('the --out checks', () => {
  it('take a new or empty folder, a non-empty one only with force, never a file', () => {
    const root = parent();
    expect(() => checkOutFolder(join(root, 'new'), false)).not.toThrow();
    mkdirSync(join(root, 'full'));
    writeFileSync(join(root, 'full', 'x'), '');
    expect(() => checkOutFolder(join(root, 'full'), false)).toThrow(/is not empty: give a new or empty folder, or pass --force/);
    expect(() => checkOutFolder(join(root, 'full'), true)).not.toThrow();
    expect(() => checkOutFolder(join(root, 'full', 'x'), true)).toThrow(/is a file/);
  });

  it('refuse a folder that is, or holds, the source, also through a symbolic link', () => {
    const root = parent();
    const source = join(root, 'models', 'tiny');
    mkdirSync(source, { recursive: true });
    symlinkSync(join(root, 'models'), join(root, 'link'));
    for (const out of [source, join(root, 'models'), root, join(root, 'link'), join(root, 'link', 'tiny')])
      expect(() => checkNotSource(out, source), out).toThrow(/holds the model being read/);
    for (const out of [join(root, 'other'), join(source, 'converted'), join(root, 'models', 'tiny-2')]) expect(() => checkNotSource(out, source), out).not.toThrow();
  });
});
