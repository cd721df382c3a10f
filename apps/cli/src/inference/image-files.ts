import { statSync } from 'node:fs';
import { ClipkitError } from '@clipkit/core';
import { type FoundImages, findImages } from '@clipkit/images';

/**
 * Image files from command-line arguments, in order: a file as given, a folder as the images under it
 * (findImages: recursively, sorted by path so embeddings rows are reproducible, each real folder entered
 * once so a link loop lists nothing twice). Entries named like images that are not files are `skipped`.
 */
export function listImageFiles(paths: readonly string[]): FoundImages {
  const found: FoundImages = { files: [], skipped: [] };
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      throw new ClipkitError(`image ${path} does not exist`);
    }
    if (!isDirectory) {
      found.files.push(path);
      continue;
    }
    const { files, skipped } = findImages(path);
    if (files.length === 0) throw new ClipkitError(`folder ${path} holds no .png, .jpg, .jpeg or .webp images`);
    found.files.push(...files);
    found.skipped.push(...skipped);
  }
  return found;
}
