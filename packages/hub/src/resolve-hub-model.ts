import { existsSync } from 'node:fs';
import { readFile, realpath, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { blobHash } from './blob-hash.js';
import { downloadBlob } from './download-blob.js';
import { type HubProgressCallback, ProgressMeter, stderrProgressBar } from './download-progress.js';
import { fetchFileMetadata, fetchRevisionInfo, hubHeaders } from './hub-api.js';
import { checkRepoFile, HubCache } from './hub-cache.js';
import { HubError, HubFileNotFoundError, HubOfflineCacheMissError, HubReferenceError, HubSelectionError, HubUnreachableError, RevisionNotFoundError } from './hub-errors.js';
import { type HubFileSelector, type HubSelectionContext, isShardIndex, selectModelFiles, shardsOfIndex } from './hub-file-selector.js';
import { type HubRequestContext, NetworkFailure } from './hub-http.js';
import { type HubReference, isCommitHash, parseHubReference } from './hub-reference.js';
import { type HubSettings, type HubSettingsOptions, resolveHubSettings } from './hub-settings.js';
import { withLockFile } from './lock-file.js';

export interface ResolveHubModelOptions extends HubSettingsOptions {
  /** Which files of the repository to fetch; default selectModelFiles (configs, tokenizer files, one weights format). */
  select?: HubFileSelector;
  /** Re-hash the cached blobs of the selection against their ETag and fetch again those that differ. Default false, as huggingface_hub (which never re-hashes). */
  verify?: boolean;
  /** Download progress; default a bar on stderr when it is a terminal; false for none. */
  onProgress?: HubProgressCallback | false;
}

/**
 * The local snapshot folder (`<cache>/models--ORG--NAME/snapshots/<sha>`) holding the files a hub model needs,
 * downloaded as huggingface_hub's snapshot_download does into the cache it shares with Python:
 *
 * 1. A full commit sha whose snapshot already holds the selection: no request at all (a commit never changes).
 * 2. Offline (HF_HUB_OFFLINE / options.offline): refs/<revision> and the snapshot, or HubOfflineCacheMissError.
 * 3. Otherwise one GET of /api/models/{repo}/revision/{revision} for the commit and the listing (so a branch
 *    costs one request even when everything is cached, as snapshot_download), refs/<revision> updated, and for
 *    each selected file not yet in the snapshot a HEAD of its /resolve/ URL and, unless its blob is cached
 *    already, a download into blobs/<etag> under the blob's lock. A sharded index brings its shards.
 *
 * When the hub cannot be reached or refuses (but not for a missing revision), a cached snapshot of the revision
 * is used instead, as huggingface_hub does; without one the error says what is cached.
 */
export async function resolveHubModel(ref: string | HubReference, options: ResolveHubModelOptions = {}): Promise<string> {
  // A reference given as an object is checked as its string form would be: its parts become cache paths.
  const { repoId, revision } = requireHubReference(typeof ref === 'string' ? ref : `hf:${ref.repoId}@${ref.revision}`);
  const settings = resolveHubSettings(options);
  const resolver = new Resolver(settings, new HubCache(settings.cacheDir, repoId), revision, options);
  if (settings.offline) return resolver.offline();
  if (isCommitHash(revision)) {
    const cached = await resolver.fromSnapshot(revision);
    if (typeof cached !== 'object') return cached;
  }
  return resolver.online();
}

function requireHubReference(ref: string): HubReference {
  const parsed = parseHubReference(ref);
  if (parsed === undefined) throw new HubReferenceError(`"${ref}" is not a hub model reference: write hf:ORG/NAME[@REVISION] (or open_clip's hf-hub:ORG/NAME)`);
  return parsed;
}

/** Why a cached snapshot cannot serve the selection. */
interface Lacking {
  lacking: string;
}

class Resolver {
  private readonly select: HubFileSelector;
  private readonly verify: boolean;
  private readonly onProgress: HubProgressCallback | undefined;
  private readonly context: HubRequestContext;

  constructor(
    private readonly settings: HubSettings,
    private readonly cache: HubCache,
    private readonly revision: string,
    options: ResolveHubModelOptions,
  ) {
    this.select = options.select ?? selectModelFiles;
    this.verify = options.verify ?? false;
    this.onProgress = options.onProgress === false ? undefined : (options.onProgress ?? stderrProgressBar());
    this.context = { endpoint: settings.endpoint, repoId: cache.repoId, revision, token: settings.token };
  }

  async offline(): Promise<string> {
    const commit = await this.cache.commitOf(this.revision);
    const cached = commit === undefined ? { lacking: `no snapshot of revision "${this.revision}"` } : await this.fromSnapshot(commit);
    if (typeof cached !== 'object') return cached;
    throw new HubOfflineCacheMissError(this.cache.repoId, this.revision, this.settings.cacheDir, cached.lacking, await this.cache.cachedRevisions());
  }

  /** The snapshot folder of `commit` when it holds the whole selection (verified if asked), else why not. */
  async fromSnapshot(commit: string): Promise<string | Lacking> {
    const files = await this.cache.snapshotFiles(commit);
    if (files.length === 0) return { lacking: `no snapshot of commit ${commit}` };
    let wanted: string[];
    try {
      wanted = [...this.select(files, this.selectionContext(`in the cache (${this.cache.snapshotDir(commit)})`))];
      for (const index of wanted.filter(isShardIndex)) wanted.push(...(await this.shardsOf(commit, index)));
    } catch (error) {
      if (error instanceof HubSelectionError) return { lacking: error.message };
      throw error;
    }
    for (const file of wanted) {
      const state = await this.inspect(commit, file);
      if (state !== 'ok') return { lacking: state === 'absent' ? `its snapshot ${commit.slice(0, 7)} lacks "${file}"` : `"${file}" failed its hash check and was removed` };
    }
    return this.cache.snapshotDir(commit);
  }

  async online(): Promise<string> {
    try {
      const info = await this.revisionInfo();
      if (typeof info === 'string') return info;
      await this.cache.writeRef(this.revision, info.commit);
      const wanted = this.select(info.files, this.selectionContext(`on ${this.settings.endpoint}`));
      await this.ensure(info.commit, info.files, wanted);
      for (const index of wanted.filter(isShardIndex)) await this.ensure(info.commit, info.files, await this.shardsOf(info.commit, index));
      return this.cache.snapshotDir(info.commit);
    } catch (error) {
      if (error instanceof NetworkFailure) throw await this.unreachable(error);
      throw error;
    }
  }

  /** The revision's commit and listing from the API, or a cached snapshot when the hub fails (but not for a missing revision). */
  private async revisionInfo(): Promise<{ commit: string; files: string[] } | string> {
    try {
      return await fetchRevisionInfo(this.context, this.settings.metadataTimeout);
    } catch (error) {
      if (error instanceof RevisionNotFoundError || !(error instanceof NetworkFailure || error instanceof HubError)) throw error;
      const commit = await this.cache.commitOf(this.revision);
      const cached = commit === undefined ? undefined : await this.fromSnapshot(commit);
      if (typeof cached === 'string') return cached;
      throw error;
    }
  }

  private async unreachable(failure: NetworkFailure): Promise<HubUnreachableError> {
    return new HubUnreachableError(this.cache.repoId, this.revision, this.settings.endpoint, failure.reason, await this.cache.cachedRevisions());
  }

  private selectionContext(where: string): HubSelectionContext {
    return { repoId: this.cache.repoId, revision: this.revision, where };
  }

  private async shardsOf(commit: string, index: string): Promise<string[]> {
    const shards = shardsOfIndex(index, await readFile(this.cache.pointerPath(commit, index), 'utf8'));
    for (const shard of shards) checkRepoFile(shard, index);
    return shards;
  }

  /**
   * Whether snapshots/<commit>/<file> is there and, with `verify`, whether its blob still hashes to the ETag
   * that names it; a corrupt blob and its pointer are removed. A copied file (no symlinks) cannot be checked.
   */
  private async inspect(commit: string, file: string): Promise<'ok' | 'absent' | 'corrupt'> {
    const pointer = this.cache.pointerPath(commit, file);
    if (!existsSync(pointer)) return 'absent';
    if (!this.verify) return 'ok';
    const blob = await realpath(pointer);
    const blobs = await realpath(dirname(this.cache.blobPath(basename(blob)))).catch(() => undefined);
    if (dirname(blob) !== blobs) return 'ok';
    const actual = await blobHash(blob, basename(blob));
    if (actual === undefined || actual === basename(blob)) return 'ok';
    await rm(blob, { force: true });
    await rm(pointer, { force: true });
    return 'corrupt';
  }

  /** Fetches the files of `wanted` the snapshot lacks: HEAD each, then download the blobs not cached yet. */
  private async ensure(commit: string, listing: readonly string[], wanted: readonly string[]): Promise<void> {
    const absent: string[] = [];
    for (const file of wanted) {
      if (!listing.includes(file)) throw new HubFileNotFoundError(this.cache.repoId, this.revision, file);
      if ((await this.inspect(commit, file)) !== 'ok') absent.push(file);
    }
    const metadata = [];
    for (const file of absent) metadata.push({ file, ...(await fetchFileMetadata({ ...this.context, revision: commit, file }, this.settings.metadataTimeout)) });
    const toDownload = metadata.filter((m) => !existsSync(this.cache.blobPath(m.etag)));
    if (toDownload.length > 0) await this.cache.tagCacheDir();
    const meter = new ProgressMeter(
      toDownload.reduce((sum, m) => sum + m.size, 0),
      this.onProgress,
    );
    for (const { file, etag, size, location, sameOrigin } of metadata) {
      const blobPath = this.cache.blobPath(etag);
      await withLockFile(this.cache.lockPath(etag), async () => {
        if (existsSync(blobPath)) return;
        await downloadBlob({
          context: { ...this.context, file },
          url: location,
          // file_download.py: a location on another host is a signed CDN URL, so the token is not sent there.
          headers: hubHeaders(sameOrigin ? this.settings.token : undefined),
          etag,
          size,
          incompletePath: `${blobPath}.incomplete`,
          blobPath,
          idleTimeout: this.settings.downloadTimeout,
          onBytes: (count, resumed) => meter.add(file, count, resumed),
        });
      });
      await this.cache.link(commit, file, etag);
    }
  }
}
