import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { findImages, type SkippedImage } from '@clipkit/images';
import type { ImageRow } from '../common/image-files.js';

/** An image of a labelled folder: its path, its class index, and where to say it is. */
export interface LabelledImage extends ImageRow {
  readonly label: number;
}

/** A folder of labelled images. */
export interface ImageFolder {
  readonly root: string;
  /** Class names by label: the folder names, or the lines of classnames.txt. */
  readonly classNames: readonly string[];
  /** The class folders by label, sorted by name. */
  readonly folders: readonly string[];
  /** Every image, class after class, sorted by path within each class. */
  readonly images: readonly LabelledImage[];
  /** Entries named like images that are not files (a folder "x.png", a broken link), left out. */
  readonly skipped: readonly SkippedImage[];
}

/** The file that names the classes, as CLIP_benchmark's classnames.txt: one name per class folder, in sorted order. */
export const CLASSNAMES_FILE = 'classnames.txt';

/** Non-empty lines of a text file, trimmed (a trailing newline makes no line). */
export function readLines(file: string, what: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ClipkitError(`${what} ${file}: cannot read it (${(error as Error).message})`);
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Reads DIR/<class>/<image> as torchvision's ImageFolder does: the class folders sorted by name are labels
 * 0, 1, ...; images are found at any depth below a class folder (findImages: each real folder entered once,
 * entries that are not image files skipped and listed). Names come from DIR/classnames.txt when it
 * exists (e.g. "tench" for folder n01440764), else from the folder names.
 */
export function readImageFolder(root: string): ImageFolder {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new ClipkitError(`image folder ${root} does not exist or is not a folder`);
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  if (folders.length < 2) {
    throw new ClipkitError(
      `image folder ${root} has ${folders.length} class folder${folders.length === 1 ? '' : 's'}; it must hold one folder of images per class (DIR/<class>/<image>), at least two`,
    );
  }
  const namesFile = join(root, CLASSNAMES_FILE);
  const classNames = existsSync(namesFile) ? readLines(namesFile, 'class names') : folders;
  if (classNames.length !== folders.length) {
    throw new ClipkitError(
      `${namesFile} names ${classNames.length} classes, but ${root} has ${folders.length} class folders; write one name per folder, in the folders' sorted order`,
    );
  }
  const images: LabelledImage[] = [];
  const skipped: SkippedImage[] = [];
  folders.forEach((folder, label) => {
    const found = findImages(join(root, folder));
    for (const image of found.files) images.push({ image, label, where: relative(root, image) });
    skipped.push(...found.skipped);
  });
  const counts = new Array<number>(folders.length).fill(0);
  for (const { label } of images) counts[label]++;
  const empty = folders.filter((_, label) => counts[label] === 0);
  if (empty.length > 0)
    throw new ClipkitError(
      `image folder ${root}: class folder${empty.length === 1 ? '' : 's'} ${empty.join(', ')} hold${empty.length === 1 ? 's' : ''} no .png, .jpg, .jpeg or .webp images`,
    );
  return { root, classNames, folders, images, skipped };
}
