import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blobHash } from './blob-hash.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;

describe('blobHash', () => {
  it('a 40-hex ETag is checked as the git blob id: equal to what `git hash-object` computes', async () => {
    for (const file of [`${MODELS}/vit-b-tiny-quickgelu/open_clip_config.json`, `${MODELS}/siglip-tiny/config.json`]) {
      const gitId = execFileSync('git', ['hash-object', '--no-filters', file], { encoding: 'utf8' }).trim();
      expect(await blobHash(file, gitId)).toBe(gitId);
    }
  });

  it('a 64-hex ETag is checked as the sha256 of the bytes (an LFS file)', async () => {
    const file = `${MODELS}/vit-b-tiny-gelu/model.safetensors`;
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    expect(await blobHash(file, sha)).toBe(sha);
    expect(await blobHash(file, 'f'.repeat(64))).toBe(sha); // a mismatch shows as a different value
  });

  it('another ETag cannot be checked', async () => {
    expect(await blobHash(`${MODELS}/vit-b-tiny-gelu/open_clip_config.json`, 'abc-123')).toBeUndefined();
  });
});
