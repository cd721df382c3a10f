import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type ClipImageTransform, decodeImage } from '@clipkit/images';

/** A file to read, hash and (unless its hash is `knownHash`) decode and preprocess. */
export interface PrepareFile {
  readonly absolute: string;
  /** The hash of its stored row; equal content is not decoded again. */
  readonly knownHash: string | null;
}

/** What became of one file. */
export type PreparedImage =
  | { readonly status: 'ok'; readonly hash: string; readonly width: number; readonly height: number }
  /** The content hash equals `knownHash`: only the size or mtime changed. */
  | { readonly status: 'same'; readonly hash: string }
  | { readonly status: 'error'; readonly message: string };

export interface PreparedBatch {
  /** One entry per requested file, in order. */
  readonly images: PreparedImage[];
  /** The pixel values of the 'ok' images, in order: [ok, 3, H, W]. */
  readonly pixels: Float32Array;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads, hashes, decodes (sharp, on libuv's threads) and preprocesses (JavaScript, on this thread) a batch
 * of files into one array, ready for the model. Run on worker threads by the indexing pipeline.
 */
export async function prepareImages(files: readonly PrepareFile[], transform: ClipImageTransform): Promise<PreparedBatch> {
  const decoded = await Promise.all(
    files.map(async (file) => {
      try {
        const bytes = await readFile(file.absolute);
        const hash = createHash('sha256').update(bytes).digest('hex');
        if (hash === file.knownHash) return { status: 'same' as const, hash };
        return { status: 'ok' as const, hash, image: await decodeImage(bytes) };
      } catch (error) {
        return { status: 'error' as const, message: `${file.absolute}: ${messageOf(error)}` };
      }
    }),
  );
  const plane = 3 * transform.height * transform.width;
  const pixels = new Float32Array(decoded.filter((d) => d.status === 'ok').length * plane);
  let n = 0;
  const images = decoded.map((d): PreparedImage => {
    if (d.status !== 'ok') return d;
    transform.transform(d.image, pixels, plane * n++);
    return { status: 'ok', hash: d.hash, width: d.image.width, height: d.image.height };
  });
  return { images, pixels };
}

/** Decodes and preprocesses image bytes (an upload) into [1, 3, H, W] pixel values. */
export async function prepareImageBytes(bytes: Uint8Array, transform: ClipImageTransform): Promise<Float32Array> {
  return transform.transform(await decodeImage(bytes));
}

/** The requests a preparation worker answers. */
export type PrepareRequest = { readonly files: readonly PrepareFile[] } | { readonly bytes: Uint8Array };
