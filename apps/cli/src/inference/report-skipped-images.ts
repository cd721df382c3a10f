import { ClipkitError } from '@clipkit/core';
import type { SkippedImage } from '@clipkit/images';

/** Skipped entries named one per line; more than this are counted only. */
const LISTED = 20;

/**
 * Tells on stderr which entries were left out and why (after the work, so they are not lost among progress
 * lines), and fails when no image at all was `read`, as there is then nothing to output.
 */
export function reportSkippedImages(skipped: readonly SkippedImage[], read: number): void {
  if (skipped.length === 0) return;
  const lines = skipped.slice(0, LISTED).map((s) => `  ${s.path}: ${s.reason}`);
  if (skipped.length > LISTED) lines.push(`  ... and ${skipped.length - LISTED} more`);
  console.error(`read ${read} image${read === 1 ? '' : 's'}; left out ${skipped.length}:\n${lines.join('\n')}`);
  if (read === 0) throw new ClipkitError(`none of the images given could be read (${skipped.length} left out, listed above); give PNG, JPEG or WebP files`);
}
