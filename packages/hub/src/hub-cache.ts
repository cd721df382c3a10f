import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { HubResponseError } from './hub-errors.js';
import { isCommitHash } from './hub-reference.js';

/**
 * Refuses a repository file name that would land outside snapshots/<sha>/ (huggingface_hub's
 * _validate_relative_filename): names come from the server's listing and from index files.
 */
export function checkRepoFile(file: string, source: string): void {
  const segments = file.split('/');
  if (file.includes('\\') || file.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new HubResponseError(`${source} names the file "${file}", which is not a relative path inside the repository: refusing to write it`);
  }
}

/**
 * One repository's folder in huggingface_hub's cache (file_download.py), shared with Python:
 *
 *     models--ORG--NAME/
 *       blobs/<etag>                   file contents, named by the hub's ETag (git sha1, or sha256 for LFS files)
 *       refs/<revision>                the commit sha a branch or tag pointed to when last resolved
 *       snapshots/<sha>/<file>         relative symlink -> ../../blobs/<etag>
 *     .locks/models--ORG--NAME/<etag>.* lock files, beside the repository folders
 */
export class HubCache {
  /** models--ORG--NAME (repo_folder_name: "models" then the id's parts, joined by REPO_ID_SEPARATOR "--"). */
  readonly folder: string;

  constructor(
    readonly cacheDir: string,
    readonly repoId: string,
  ) {
    this.folder = join(cacheDir, ['models', ...repoId.split('/')].join('--'));
  }

  blobPath(etag: string): string {
    return join(this.folder, 'blobs', etag);
  }

  snapshotDir(commit: string): string {
    return join(this.folder, 'snapshots', commit);
  }

  pointerPath(commit: string, file: string): string {
    return join(this.snapshotDir(commit), ...file.split('/'));
  }

  lockPath(etag: string): string {
    return join(this.cacheDir, '.locks', ['models', ...this.repoId.split('/')].join('--'), `${etag}.clipkit.lock`);
  }

  /**
   * Marks the cache for backup tools with a CACHEDIR.TAG (https://bford.info/cachedir/), as huggingface_hub's
   * _create_cachedir_tag does; an existing tag, Python's or ours, is left alone.
   */
  async tagCacheDir(): Promise<void> {
    await mkdir(this.cacheDir, { recursive: true });
    const content = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by @clipkit/hub (huggingface_hub cache layout).\n';
    await writeFile(join(this.cacheDir, 'CACHEDIR.TAG'), content, { flag: 'wx' }).catch(() => undefined);
  }

  /** The commit a revision names: itself when it is a full sha, else the content of refs/<revision>, if cached. */
  async commitOf(revision: string): Promise<string | undefined> {
    if (isCommitHash(revision)) return revision;
    try {
      const commit = (await readFile(join(this.folder, 'refs', ...revision.split('/')), 'utf8')).trim();
      return isCommitHash(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records refs/<revision> = commit, atomically (tmp + rename, as huggingface_hub >= 1.18), only when it changed. */
  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit || (await this.commitOf(revision)) === commit) return;
    const path = join(this.folder, 'refs', ...revision.split('/'));
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, commit);
    await rename(temp, path);
  }

  /** Points snapshots/<commit>/<file> at blobs/<etag> with a relative symlink (_create_symlink), or a copy where symlinks fail. */
  async link(commit: string, file: string, etag: string): Promise<void> {
    const pointer = this.pointerPath(commit, file);
    const blob = this.blobPath(etag);
    await mkdir(dirname(pointer), { recursive: true });
    await rm(pointer, { force: true });
    try {
      await symlink(relative(dirname(pointer), blob), pointer);
    } catch (error) {
      // Another process linked the same file between rm and symlink: fine if it points at this blob.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
      // huggingface_hub copies when the filesystem has no symlinks (Windows without developer mode).
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
      await copyFile(blob, pointer);
    }
  }

  /** Files present in snapshots/<commit>/ (symlinks whose blob exists), as repository paths with "/". */
  async snapshotFiles(commit: string): Promise<string[]> {
    const root = this.snapshotDir(commit);
    const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
    const files: string[] = [];
    for (const entry of entries) {
      const info = await stat(join(root, entry)).catch(() => undefined);
      if (info?.isFile()) files.push(entry.split('\\').join('/'));
    }
    return files.sort();
  }

  /** Every cached revision, for error messages: `main -> 0123abc` for refs, then bare shas of snapshots no ref names. */
  async cachedRevisions(): Promise<string[]> {
    const refsDir = join(this.folder, 'refs');
    const refs = (await readdir(refsDir, { recursive: true }).catch(() => [] as string[])).map((entry) => entry.split('\\').join('/'));
    const named = new Map<string, string>();
    for (const ref of refs) {
      const commit = await this.commitOf(ref);
      if (commit !== undefined && !isCommitHash(ref)) named.set(ref, commit);
    }
    const snapshots = existsSync(join(this.folder, 'snapshots')) ? await readdir(join(this.folder, 'snapshots')) : [];
    const bare = snapshots.filter((sha) => isCommitHash(sha) && ![...named.values()].includes(sha)).sort();
    return [...[...named].sort().map(([ref, commit]) => `${ref} -> ${commit.slice(0, 7)}`), ...bare];
  }
}
