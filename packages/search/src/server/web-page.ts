import { readFile } from 'node:fs/promises';

/** The page's files: a fixed list, so no part of a request path ever names a file. */
const FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
} as const;

export interface PageFile {
  readonly route: string;
  readonly type: string;
  readonly body: Buffer;
}

/** The package's web/ folder (beside src/ and dist/). */
const WEB_DIR = new URL('../../web/', import.meta.url);

/** Reads the search page's files once, when the server is made. */
export async function readWebPage(dir: URL = WEB_DIR): Promise<PageFile[]> {
  return Promise.all(Object.entries(FILES).map(async ([route, { file, type }]) => ({ route, type, body: await readFile(new URL(file, dir)) })));
}

/** Pages load only their own scripts, styles and images: nothing from outside the server. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
