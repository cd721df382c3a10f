import { mkdir, open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from '@clipkit/core';

/** How often a holder touches its lock, and how old an untouched lock must be before another host may take it. */
const HEARTBEAT_MS = 5_000;
const STALE_MS = 30_000;
const POLL_MS = 100;

/**
 * Runs `work` while holding the lock file `path`, so two processes (or two calls in one process) never write
 * the same blob. huggingface_hub uses filelock's flock(2) on `.locks/.../<etag>.lock`; Node has no flock, so
 * this is an exclusive create (O_EXCL, atomic on local disks and NFSv3+) of a file holding the owner's pid and
 * host. A lock whose owner died is taken over: at once when the pid is gone on this host, else when its
 * holder stopped touching it for STALE_MS.
 */
export async function withLockFile<T>(path: string, work: () => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  for (;;) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(JSON.stringify({ pid: process.pid, host: hostname() }));
      await file.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(path)) await rm(path, { force: true });
      else await sleep(POLL_MS);
    }
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await rm(path, { force: true });
  }
}

async function isStale(path: string): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as { pid?: number; host?: string };
    if (owner.host === hostname() && typeof owner.pid === 'number') return !isProcessAlive(owner.pid);
  } catch {
    // Being written right now, or gone: decided by its age below.
  }
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > STALE_MS;
}
