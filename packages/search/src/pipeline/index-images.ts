import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SearchIndexError } from '../errors.js';
import { APPROXIMATE_MIN_ROWS } from '../index/approximate-index.js';
import { ImageIndex } from '../index/image-index.js';
import type { ImageRow } from '../index/image-row.js';
import { planUpdate, type WorkItem } from '../scan/plan-update.js';
import { type SkippedFile, scanImages } from '../scan/scan-images.js';
import { checkEmbeddings, describeModel, type SearchEmbedder } from '../search-embedder.js';
import { type IndexProgress, ProgressMeter, stderrProgressBar } from './index-progress.js';
import type { PreparedBatch, PreparedImage } from './prepare-images.js';
import { defaultWorkerCount, PreparePool } from './prepare-pool.js';
import { RowWriter } from './row-writer.js';

export interface IndexImagesOptions {
  /** The folder to index, recursively. */
  readonly root: string;
  /** The index folder (LanceDB); created on the first run. */
  readonly dbPath: string;
  readonly embedder: SearchEmbedder;
  /** Recorded in the index, so that `clipkit search --db` can load the model again (e.g. the --model argument). Default null. */
  readonly modelRef?: string | null;
  /** Images per model call. Default 32. */
  readonly batchSize?: number;
  /** Worker threads decoding images. Default: cores - 1, between 1 and 4. */
  readonly workers?: number;
  /** Rows per LanceDB commit: more make fewer, larger files; fewer lose less work to a kill. Default 256. */
  readonly commitRows?: number;
  /** Row count from which an approximate (IVF-PQ) index is built. Default APPROXIMATE_MIN_ROWS. */
  readonly approximateMinRows?: number;
  /** Called after every batch. */
  readonly onProgress?: (progress: IndexProgress) => void;
  /** A progress bar on stderr. Default: when stderr is a terminal. */
  readonly progressBar?: boolean;
  /** The preparation worker script (tests run the compiled one from dist). */
  readonly workerScript?: URL;
}

export interface IndexReport {
  readonly root: string;
  readonly dbPath: string;
  /** Image files found. */
  readonly found: number;
  /** New files embedded. */
  readonly added: number;
  /** Files whose content changed, embedded again. */
  readonly updated: number;
  /** Files whose size or mtime changed but not their content: only the record was rewritten. */
  readonly touched: number;
  /** Files whose size and mtime matched their row (not read). */
  readonly unchanged: number;
  /** Rows whose file is gone. */
  readonly removed: number;
  /** Files that could not be read or decoded (not indexed), and folders that could not be listed. */
  readonly skipped: SkippedFile[];
  /** Rows in the index after the run. */
  readonly rows: number;
  readonly approximate: boolean;
  readonly seconds: number;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new SearchIndexError(`indexImages: ${name} must be an integer >= 1, got ${value}`);
  return value;
}

async function realFolder(root: string): Promise<string> {
  try {
    if ((await stat(root)).isDirectory()) return await realpath(root);
  } catch {}
  throw new SearchIndexError(`${root} is not a folder: give the folder of images to index`);
}

/** Batches of the work list, each sent to the workers `depth` batches ahead of the model. */
async function* preparedBatches(
  work: readonly WorkItem[],
  batchSize: number,
  depth: number,
  pool: PreparePool,
): AsyncGenerator<{ items: readonly WorkItem[]; prepared: PreparedBatch }> {
  const queue: { items: readonly WorkItem[]; prepared: Promise<PreparedBatch> }[] = [];
  let next = 0;
  const send = () => {
    const items = work.slice(next, next + batchSize);
    next += items.length;
    const prepared = pool.files(items.map((item) => ({ absolute: item.file.absolute, knownHash: item.previous?.hash ?? null })));
    prepared.catch(() => undefined); // raised when its turn comes
    queue.push({ items, prepared });
  };
  while (next < work.length && queue.length < depth) send();
  while (queue.length > 0) {
    const { items, prepared } = queue.shift()!;
    if (next < work.length) send();
    yield { items, prepared: await prepared };
  }
}

/** The normalised embeddings of a batch's decoded images, [ok, embedDim]. */
async function embedBatch(embedder: SearchEmbedder, prepared: PreparedBatch): Promise<Float32Array> {
  const ok = prepared.images.filter((image) => image.status === 'ok').length;
  if (ok === 0) return new Float32Array(0);
  const { height, width } = embedder.preprocess.cropSize;
  return checkEmbeddings(await embedder.embedPixels(prepared.pixels, [ok, 3, height, width]), ok, embedder.embedDim, 'embedPixels');
}

/**
 * The rows a prepared batch gives: embedded images (with `vectors`, in order), touched files with their
 * stored vector (`kept`), and the files that could not be read.
 */
function batchRows(items: readonly WorkItem[], images: readonly PreparedImage[], vectors: Float32Array, kept: Map<string, Float32Array>, embedDim: number) {
  const out = { rows: [] as ImageRow[], skipped: [] as SkippedFile[], added: 0, updated: 0, touched: 0 };
  let embedded = 0;
  for (const [i, { file, id, previous }] of items.entries()) {
    const image = images[i];
    if (image.status === 'error') {
      out.skipped.push({ path: file.path, reason: image.message });
    } else if (image.status === 'ok') {
      const vector = vectors.subarray(embedDim * embedded, embedDim * (embedded + 1));
      embedded++;
      out.rows.push({ id, path: file.path, size: file.size, mtime: file.mtime, hash: image.hash, width: image.width, height: image.height, vector });
      out[previous ? 'updated' : 'added']++;
    } else {
      out.rows.push({ ...previous!, size: file.size, mtime: file.mtime, vector: kept.get(id)! });
      out.touched++;
    }
  }
  return out;
}

/**
 * Indexes the images under `root` into the index at `dbPath`, incrementally: files whose size and mtime
 * match their row are not read; the others are read and hashed on worker threads, and embedded unless
 * their content hash matches; rows of deleted files are removed. Decoding and preprocessing run on worker
 * threads `workers x 2` batches ahead of the model.
 *
 * Write order, so that a run killed at any point and run again leaves neither duplicate nor missing rows:
 * the table (with the model in its metadata) is created in one commit; rows of deleted files are removed
 * first; then rows are written `commitRows` at a time, each write one commit that merges on the row id (a
 * hash of the path), so a row written again replaces itself. A re-run finds committed rows unchanged and
 * redoes only the files whose rows were not committed.
 */
export async function indexImages(options: IndexImagesOptions): Promise<IndexReport> {
  const started = performance.now();
  const batchSize = positiveInteger(options.batchSize ?? 32, 'batchSize');
  const commitRows = positiveInteger(options.commitRows ?? 256, 'commitRows');
  const workers = positiveInteger(options.workers ?? defaultWorkerCount(), 'workers');
  const { embedder } = options;
  const model = describeModel(embedder, options.modelRef ?? null);
  const root = await realFolder(options.root);
  const dbPath = resolve(options.dbPath);
  const index = await ImageIndex.openForWriting(dbPath, { root, model });
  const pool = new PreparePool(model.preprocess, workers, options.workerScript);
  let bar: ReturnType<typeof stderrProgressBar> | null = null;
  try {
    const scan = await scanImages(root);
    const plan = planUpdate(scan.files, await index.records());
    await index.remove(plan.removed.map((record) => record.id));

    const skipped = [...scan.skipped];
    const counts = { added: 0, updated: 0, touched: 0 };
    const meter = new ProgressMeter(plan.work.length);
    if (options.progressBar ?? process.stderr.isTTY) bar = stderrProgressBar(plan.work.length);
    const writer = new RowWriter(index, commitRows, (rows) => (meter.committed += rows));
    for await (const { items, prepared } of preparedBatches(plan.work, batchSize, workers * 2, pool)) {
      const vectors = await embedBatch(embedder, prepared);
      const same = items.filter((_, i) => prepared.images[i].status === 'same');
      const kept = new Map((await index.rows(same.map((item) => item.id))).map((row) => [row.id, row.vector]));
      const batch = batchRows(items, prepared.images, vectors, kept, model.embedDim);
      await writer.add(batch.rows);
      skipped.push(...batch.skipped);
      meter.skipped += batch.skipped.length;
      for (const key of ['added', 'updated', 'touched'] as const) counts[key] += batch[key];
      meter.done += items.length;
      bar?.update(meter.snapshot());
      options.onProgress?.(meter.snapshot());
    }
    await writer.flush();
    options.onProgress?.(meter.snapshot());
    const { approximate } = await index.maintain(options.approximateMinRows ?? APPROXIMATE_MIN_ROWS);
    return {
      root,
      dbPath,
      found: scan.files.length,
      ...counts,
      unchanged: plan.unchanged,
      removed: plan.removed.length,
      skipped,
      rows: await index.count(),
      approximate,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    bar?.stop();
    await pool.dispose();
    index.close();
  }
}
