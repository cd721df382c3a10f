import { ClipkitError } from '@clipkit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportSkippedImages } from './report-skipped-images.js';

afterEach(() => vi.restoreAllMocks());

describe('reportSkippedImages', () => {
  it('lists the skipped entries with their reasons on stderr, and says nothing when none was skipped', () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    reportSkippedImages([], 3);
    expect(stderr).not.toHaveBeenCalled();
    reportSkippedImages([{ path: 'x.png', reason: 'a folder, not an image file' }], 2);
    expect(stderr).toHaveBeenCalledWith('read 2 images; left out 1:\n  x.png: a folder, not an image file');
  });

  it('fails when no image at all could be read', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => reportSkippedImages([{ path: 'bad.png', reason: 'corrupt' }], 0)).toThrow(ClipkitError);
    expect(() => reportSkippedImages([{ path: 'bad.png', reason: 'corrupt' }], 0)).toThrow('none of the images given could be read (1 left out, listed above)');
  });
});
