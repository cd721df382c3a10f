import { type FileHandle, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { blobHash } from './blob-hash.js';
import { ChecksumMismatchError, HubResponseError } from './hub-errors.js';
import { failureReason, type HubRequestContext, hubRequest, hubResponseError, NetworkFailure } from './hub-http.js';

/** One blob to fetch: where from, how big, and where it goes. */
export interface BlobDownload {
  context: HubRequestContext & { file: string };
  /** The metadata's location (CDN or /resolve/ URL). */
  url: string;
  headers: Record<string, string>;
  etag: string;
  size: number;
  /** blobs/<etag>.incomplete, then renamed to blobPath. */
  incompletePath: string;
  blobPath: string;
  /** Seconds without a byte before the transfer counts as cut (HF_HUB_DOWNLOAD_TIMEOUT). */
  idleTimeout: number;
  /** Bytes added to (or, negative, dropped from) the incomplete file, for progress; `resumed` for those an earlier run left. */
  onBytes: (count: number, resumed?: boolean) => void;
}

// http_get: a transfer cut mid-body is resumed with a Range request up to 5 times in a row (the count starts
// again whenever bytes arrive), 1 s apart. A failure before any answer is not retried: the caller falls back
// to the cache or reports the hub unreachable.
const RETRIES = 5;
const RETRY_DELAY_MS = 1_000;

/**
 * Downloads a blob as huggingface_hub (< 1.18) does: into blobs/<etag>.incomplete, resuming what an earlier
 * run left there with `Range: bytes=<size>-`, then checks the size and the hash the ETag names and renames
 * the file into place. The caller holds the blob's lock, so the .incomplete file is this process's alone.
 * A file that fails the hash is removed and ChecksumMismatchError thrown: nothing corrupt stays in the cache.
 */
export async function downloadBlob(job: BlobDownload): Promise<void> {
  await mkdir(dirname(job.incompletePath), { recursive: true });
  const file = await open(job.incompletePath, 'a');
  try {
    let have = (await file.stat()).size;
    if (have > job.size) {
      await file.truncate(0);
      have = 0;
    }
    if (have > 0) job.onBytes(have, true);
    for (let retries = RETRIES; have < job.size; ) {
      try {
        have = await transfer(job, file, have);
        break;
      } catch (error) {
        if (!(error instanceof CutTransfer)) throw error;
        have = error.have;
        if (error.received > 0) retries = RETRIES;
        if (retries-- === 0) throw new NetworkFailure(job.url, `transfer cut ${RETRIES + 1} times: ${failureReason(error.cause)}`, { cause: error.cause });
        await sleep(RETRY_DELAY_MS);
      }
    }
  } finally {
    await file.close();
  }
  await checkAndMove(job);
}

/** A transfer that stopped mid-body, with the bytes the incomplete file now holds. */
class CutTransfer extends Error {
  constructor(
    readonly have: number,
    readonly received: number,
    options: ErrorOptions,
  ) {
    super('transfer cut', options);
  }
}

/** One GET from byte `have` on; returns the bytes the file holds when the body ends. */
async function transfer(job: BlobDownload, file: FileHandle, have: number): Promise<number> {
  const controller = new AbortController();
  const idle = setTimeout(() => controller.abort(), job.idleTimeout * 1000);
  try {
    const headers = have > 0 ? { ...job.headers, range: `bytes=${have}-` } : job.headers;
    const { response, url } = await hubRequest(job.url, { method: 'GET', headers, signal: controller.signal }, 'all');
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw hubResponseError(response, url, job.context);
    }
    if (have > 0 && response.status === 200) {
      // The server ignored the Range header and sends the whole file: start over (http_get does the same).
      await file.truncate(0);
      job.onBytes(-have);
      have = 0;
    } else if (have > 0 && !response.headers.get('content-range')?.startsWith(`bytes ${have}-`)) {
      await response.body.cancel();
      throw new HubResponseError(`${url} answered the range "${response.headers.get('content-range')}" to "Range: bytes=${have}-"`);
    }
    let received = 0;
    try {
      for await (const chunk of response.body) {
        idle.refresh();
        await file.write(chunk);
        received += chunk.length;
        job.onBytes(chunk.length);
      }
    } catch (error) {
      throw new CutTransfer(have + received, received, { cause: error });
    }
    return have + received;
  } finally {
    clearTimeout(idle);
  }
}

async function checkAndMove(job: BlobDownload): Promise<void> {
  const { repoId, file } = job.context;
  const have = (await stat(job.incompletePath)).size;
  if (have !== job.size) {
    await rm(job.incompletePath, { force: true });
    throw new HubResponseError(`"${file}" of "${repoId}": received ${have} bytes, the hub announced ${job.size}; the partial file was removed: run again`);
  }
  const actual = await blobHash(job.incompletePath, job.etag);
  if (actual !== undefined && actual !== job.etag) {
    await rm(job.incompletePath, { force: true });
    throw new ChecksumMismatchError(repoId, file, job.etag, actual);
  }
  await rename(job.incompletePath, job.blobPath);
}
