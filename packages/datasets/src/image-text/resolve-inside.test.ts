import { ClipkitError } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
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
