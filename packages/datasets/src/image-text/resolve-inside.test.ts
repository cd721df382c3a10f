import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInside } from './resolve-inside.js';

const ROOT = '/data/set';

describe('resolveInside', () => {
  it('resolves relative and absolute paths inside the folder', () => {
    expect(resolveInside(ROOT, 'a/b.png', 't.csv:2')).toBe('/data/set/a/b.png');
    expect(resolveInside(ROOT, './a/../b.png', 't.csv:2')).toBe('/data/set/b.png');
    expect(resolveInside(ROOT, '/data/set/c/d.jpg', 't.csv:2')).toBe('/data/set/c/d.jpg');
    expect(resolveInside(ROOT, '..hidden.png', 't.csv:2')).toBe('/data/set/..hidden.png');
  });

  it.each(['../b.png', 'a/../../b.png', '/etc/passwd', '/data/settings.png', '.', ''])('rejects %j, naming the row', (path) => {
    expect(() => resolveInside(ROOT, path, 't.csv:7')).toThrow(ClipkitError);
    expect(() => resolveInside(ROOT, path, 't.csv:7')).toThrow(`t.csv:7: image path ${JSON.stringify(path)} is outside the data folder /data/set`);
  });
});

describe('resolveInside with symbolic links (issue 16)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clipkit-inside-'));
  const data = join(dir, 'data');
  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(join(data, 'imgs'), { recursive: true });
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, 'secret.jpg'), 'secret');
  writeFileSync(join(data, 'imgs', 'a.jpg'), 'a');
  symlinkSync(elsewhere, join(data, 'imgs', 'outlink'));
  symlinkSync(join(elsewhere, 'secret.jpg'), join(data, 'imgs', 'file-link.jpg'));
  symlinkSync(join(data, 'imgs'), join(data, 'inlink'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects a row that reaches a file outside the folder through a folder or file link', () => {
    for (const path of ['imgs/outlink/secret.jpg', 'imgs/file-link.jpg']) {
      expect(() => resolveInside(data, path, 't.csv:3')).toThrow(ClipkitError);
      expect(() => resolveInside(data, path, 't.csv:3')).toThrow(
        `t.csv:3: image path ${JSON.stringify(path)} leads outside the data folder ${data} (data.path) through a symbolic link, to ${join(elsewhere, 'secret.jpg')}`,
      );
    }
  });

  it('accepts links that stay inside, a data folder reached through a link, and missing files (skipped later)', () => {
    expect(resolveInside(data, 'inlink/a.jpg', 't.csv:2')).toBe(join(data, 'inlink', 'a.jpg'));
    const linkedRoot = join(dir, 'data-link');
    symlinkSync(data, linkedRoot);
    expect(resolveInside(linkedRoot, 'imgs/a.jpg', 't.csv:2')).toBe(join(linkedRoot, 'imgs', 'a.jpg'));
    expect(resolveInside(data, 'imgs/outlink/missing.jpg', 't.csv:2')).toBe(join(data, 'imgs', 'outlink', 'missing.jpg'));
  });
});
