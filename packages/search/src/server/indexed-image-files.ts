import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import sharp from 'sharp';
import { SearchRequestError } from '../errors.js';
import { IMAGE_ID_PATTERN } from '../index/image-id.js';
import type { ImageIndex } from '../index/image-index.js';
import type { ImageRecord } from '../index/image-row.js';
import type { ThumbnailCache } from './thumbnail-cache.js';

const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };

/** The files of indexed images, reached by id only. */
export interface ImageFiles {
  record(id: string): Promise<ImageRecord>;
  thumbnail(id: string): Promise<{ record: ImageRecord; thumbnail: Buffer }>;
  original(id: string): Promise<{ record: ImageRecord; type: string; stream: ReadStream }>;
}

/**
 * Looks an id up in the index and opens the file its row names, under the index's root. The id must be
 * 24 hex digits (400 otherwise: this is where "../../etc/passwd" ends) and name a row (404).
 */
export function indexedImageFiles(index: ImageIndex, cache: ThumbnailCache, thumbnailSize: number): ImageFiles {
  const record = async (id: string): Promise<ImageRecord> => {
    if (!IMAGE_ID_PATTERN.test(id)) throw new SearchRequestError(400, `"${id.slice(0, 40)}" is not an image id (24 hex digits, as search results give them)`);
    const found = await index.record(id);
    if (!found) throw new SearchRequestError(404, `no image with id ${id} in the index`);
    return found;
  };
  const fileOf = async (found: ImageRecord): Promise<string> => {
    const file = resolve(index.root, ...found.path.split('/'));
    // Rows are written by the indexer from its own scan; this guards against an index edited by hand.
    if (!file.startsWith(index.root + sep)) throw new SearchRequestError(404, `image ${found.id} lies outside the indexed folder`);
    try {
      if ((await stat(file)).isFile()) return file;
    } catch {}
    throw new SearchRequestError(404, `the file of image ${found.id} (${found.path}) is gone: run clipkit index again to update the index`);
  };
  return {
    record,
    async thumbnail(id) {
      const found = await record(id);
      const file = await fileOf(found);
      // Thumbnails are for people: unlike the model's input, they follow the EXIF orientation.
      const make = () =>
        sharp(file, { failOn: 'error' }).rotate().resize({ width: thumbnailSize, height: thumbnailSize, fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
      return { record: found, thumbnail: await cache.get(`${id}:${found.hash}`, make) };
    },
    async original(id) {
      const found = await record(id);
      const file = await fileOf(found);
      return { record: found, type: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', stream: createReadStream(file) };
    },
  };
}
