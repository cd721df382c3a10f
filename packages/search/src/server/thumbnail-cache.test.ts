import { describe, expect, it } from 'vitest';
import { ThumbnailCache } from './thumbnail-cache.js';

describe('ThumbnailCache', () => {
  it('makes each thumbnail once, even when asked for it twice at the same time', async () => {
    const cache = new ThumbnailCache(1000);
    let made = 0;
    const make = async () => {
      made++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return Buffer.alloc(10);
    };
    const [a, b] = await Promise.all([cache.get('x', make), cache.get('x', make)]);
    expect(a).toBe(b);
    expect(await cache.get('x', make)).toBe(a);
    expect(made).toBe(1);
  });

  it('keeps at most maxBytes, dropping the least recently used first', async () => {
    const cache = new ThumbnailCache(250);
    const made: string[] = [];
    const make = (key: string) => async () => {
      made.push(key);
      return Buffer.alloc(100);
    };
    await cache.get('a', make('a'));
    await cache.get('b', make('b'));
    await cache.get('a', make('a')); // a is now the most recent
    await cache.get('c', make('c')); // 300 bytes > 250: b goes
    expect(cache.size).toBe(200);
    await cache.get('a', make('a'));
    await cache.get('b', make('b'));
    expect(made).toEqual(['a', 'b', 'c', 'b']);
    await cache.get('huge', async () => Buffer.alloc(1000)); // larger than the cache: served, not kept
    expect(cache.size).toBe(200);
  });
});
