import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ClipkitError } from '@clipkit/core';

/** Extensions picked up from folders (the formats decodeImage reads). Files named one by one are taken as given. */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);

/**
 * Image files from command-line arguments, in order: a file as given, a folder as the images under it
 * (recursively, sorted by path so embeddings rows are reproducible).
 */
export function listImageFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      throw new ClipkitError(`image ${path} does not exist`);
    }
    if (!isDirectory) {
      files.push(path);
      continue;
    }
    const found = readdirSync(path, { recursive: true, encoding: 'utf8' })
      .filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase()))
      .map((name) => join(path, name))
      .sort();
    if (found.length === 0) throw new ClipkitError(`folder ${path} holds no .png, .jpg, .jpeg or .webp images`);
    files.push(...found);
  }
  return files;
}
