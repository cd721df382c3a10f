import { describe, expect, it } from 'vitest';
import { HubReferenceError } from './hub-errors.js';
import { isCommitHash, parseHubReference } from './hub-reference.js';

describe('parseHubReference', () => {
  it.each([
    ['hf:laion/CLIP-ViT-B-32-laion2B-s34B-b79K', 'laion/CLIP-ViT-B-32-laion2B-s34B-b79K', 'main'],
    ['hf-hub:timm/ViT-B-16-SigLIP', 'timm/ViT-B-16-SigLIP', 'main'], // open_clip's prefix
    ['hf:openai/clip-vit-base-patch32@v1.0', 'openai/clip-vit-base-patch32', 'v1.0'],
    ['hf:org/name@0123456789abcdef0123456789abcdef01234567', 'org/name', '0123456789abcdef0123456789abcdef01234567'],
    ['hf:org/name@refs/pr/1', 'org/name', 'refs/pr/1'], // a pull-request branch, stored as refs/refs/pr/1
    ['hf:gpt2', 'gpt2', 'main'], // the hub's legacy repositories have no organisation
    ['hf:a/b', 'a/b', 'main'],
  ])('%s -> %s @ %s', (ref, repoId, revision) => {
    expect(parseHubReference(ref)).toEqual({ repoId, revision });
  });

  it.each(['ViT-B-32', './models/tiny', '/abs/path', 'hf', 'huggingface:org/name', 'https://huggingface.co/org/name'])('%s is not a hub reference', (ref) => {
    expect(parseHubReference(ref)).toBeUndefined();
  });

  it.each([
    'hf:',
    'hf:a/b/c',
    'hf:org/na--me',
    'hf:org/na..me',
    'hf:org/name.git',
    'hf:-org/name',
    'hf:org/name-',
    `hf:org/${'x'.repeat(97)}`,
    'hf:org/name@',
    'hf:org/name@../../etc',
    'hf:org/name@a//b',
    'hf:org/name@a b',
  ])('%s has a hub prefix but is malformed', (ref) => {
    expect(() => parseHubReference(ref)).toThrow(HubReferenceError);
  });

  it('names the problem in one line', () => {
    expect(() => parseHubReference('hf:a/b/c')).toThrow(
      '"hf:a/b/c" is not a hub model reference: write hf:ORG/NAME[@REVISION] (letters, digits, "-", "_", "." up to 96 characters; no "--" or ".."), got repository "a/b/c"',
    );
  });

  it('accepts 96-character names, as huggingface_hub', () => {
    expect(parseHubReference(`hf:org/${'x'.repeat(96)}`)?.repoId).toBe(`org/${'x'.repeat(96)}`);
  });
});

describe('isCommitHash', () => {
  it('is true only for a full 40-hex lower-case sha (file_download.py REGEX_COMMIT_HASH)', () => {
    expect(isCommitHash('0123456789abcdef0123456789abcdef01234567')).toBe(true);
    expect(isCommitHash('0123456')).toBe(false);
    expect(isCommitHash('0123456789ABCDEF0123456789ABCDEF01234567')).toBe(false);
    expect(isCommitHash('main')).toBe(false);
  });
});
