import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ClipkitError, writeError } from '@clipkit/core';
import { type IndexProgress, type IndexReport, indexImages } from '@clipkit/search';
import { openSearchEmbedder } from '../inference/open-search-embedder.js';

export interface IndexOptions {
  model: string;
  db: string;
  batchSize: number;
  backend?: string;
}

/** Without a terminal for the progress bar, a line at most this often. */
const LOG_EVERY_MS = 10_000;
/** Skipped files listed by name; the rest are counted. */
const LIST_SKIPPED = 20;

/** Fails before the model loads (seconds) when the arguments cannot work. */
function checkPaths(dir: string, db: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ClipkitError(`${dir} is not a folder: give the folder of images to index (clipkit index DIR --model REF)`);
  if (existsSync(db) && !statSync(db).isDirectory()) throw new ClipkitError(`--db ${db} is a file: an image index is a folder; give a new or existing index folder`);
  // A read-only place is found now, by the folder that will hold the index (the nearest that exists).
  let parent = resolve(db);
  while (!existsSync(parent)) parent = dirname(parent);
  try {
    accessSync(parent, constants.W_OK);
  } catch (error) {
    throw writeError(db, error);
  }
}

/** The system errors LanceDB reports by number in its messages ("No space left on device (os error 28)"). */
const OS_ERRORS: Readonly<Record<string, string>> = { 1: 'EPERM', 13: 'EACCES', 28: 'ENOSPC', 30: 'EROFS', 122: 'EDQUOT' };

/** A LanceDB write error for a full disk and the like, as writeError's one line naming the index. */
function indexWriteError(db: string, error: unknown): unknown {
  const number = error instanceof Error ? /\(os error (\d+)\)/.exec(error.message)?.[1] : undefined;
  const code = number === undefined ? undefined : OS_ERRORS[number];
  return code ? writeError(db, Object.assign(new Error((error as Error).message, { cause: error }), { code })) : error;
}

/** The model as the index records it, for `clipkit search` to load again: a local path made absolute, a hub name as given. */
function modelReference(ref: string): string {
  return existsSync(ref) ? resolve(ref) : ref;
}

/** Progress lines on stderr, for logs (on a terminal, indexImages draws a bar instead). */
function progressLines(): (progress: IndexProgress) => void {
  let last = performance.now();
  return ({ done, total, filesPerSecond, etaSeconds }) => {
    if (performance.now() - last < LOG_EVERY_MS || done === total) return;
    last = performance.now();
    const eta = etaSeconds === null ? '' : `, ${Math.round(etaSeconds)} s left`;
    console.error(`indexing: ${done}/${total} images (${filesPerSecond.toFixed(1)} images/s${eta})`);
  };
}

function summary(report: IndexReport, db: string): string[] {
  const read = report.added + report.updated + report.touched;
  const rate = report.seconds > 0 && read > 0 ? `, ${(read / report.seconds).toFixed(1)} images/s` : '';
  const lines = [
    `indexed ${report.root} into ${db}: ${report.added} new, ${report.updated} changed, ${report.touched} touched, ${report.unchanged} unchanged, ` +
      `${report.removed} removed, ${report.skipped.length} skipped; ${report.rows} images in the index` +
      `${report.approximate ? ' (approximate index built)' : ''} (${report.seconds.toFixed(1)} s${rate})`,
  ];
  for (const { path, reason } of report.skipped.slice(0, LIST_SKIPPED)) lines.push(`skipped ${path}: ${reason}`);
  if (report.skipped.length > LIST_SKIPPED) lines.push(`... and ${report.skipped.length - LIST_SKIPPED} more skipped`);
  return lines;
}

/** `clipkit index DIR --model REF [--db PATH]`: embeds the folder's new and changed images into the index. */
export async function indexFolder(dir: string, options: IndexOptions): Promise<void> {
  checkPaths(dir, options.db);
  const isNew = !existsSync(options.db);
  const { embedder, loaded } = await openSearchEmbedder(options.model, { backend: options.backend, batchSize: options.batchSize });
  try {
    const report = await indexImages({
      root: dir,
      dbPath: options.db,
      embedder,
      modelRef: modelReference(options.model),
      batchSize: options.batchSize,
      onProgress: process.stderr.isTTY ? undefined : progressLines(),
    });
    for (const line of summary(report, options.db)) console.log(line);
  } catch (error) {
    // An index this command began holds nothing worth keeping; an existing one keeps what LanceDB committed.
    if (isNew) await rm(options.db, { recursive: true, force: true });
    throw indexWriteError(options.db, error);
  } finally {
    await loaded.dispose();
  }
}
