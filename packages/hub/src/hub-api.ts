import { checkRepoFile } from './hub-cache.js';
import { HubResponseError } from './hub-errors.js';
import { type HubRequestContext, hubRequest, hubResponseError } from './hub-http.js';
import { isCommitHash } from './hub-reference.js';

/** The commit a revision points to and the files it holds. */
export interface RevisionInfo {
  commit: string;
  files: string[];
}

/** What the HEAD of a file's /resolve/ URL says (huggingface_hub's HfFileMetadata). */
export interface FileMetadata {
  commit: string;
  /** Normalised ETag: the git sha1 of a regular file, the sha256 of an LFS file. Names the blob. */
  etag: string;
  size: number;
  /** Where to GET the bytes: the CDN address of an absolute redirect, else the /resolve/ URL itself. */
  location: string;
  /** Whether `location` is on the hub's own origin, so the token may go with it. */
  sameOrigin: boolean;
}

/** Headers huggingface_hub's build_hf_headers sends: a user agent and, with a token, `Authorization: Bearer`. */
export function hubHeaders(token: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': `clipkit-hub; node/${process.versions.node}` };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return headers;
}

/**
 * GET {endpoint}/api/models/{repo}/revision/{revision} (HfApi.model_info with a revision): the commit sha and
 * the listing (`siblings[].rfilename`), as snapshot_download's repo_info call.
 */
export async function fetchRevisionInfo(context: HubRequestContext, timeoutSeconds: number): Promise<RevisionInfo> {
  const url = `${context.endpoint}/api/models/${context.repoId}/revision/${encodeURIComponent(context.revision)}`;
  const { response, url: answered } = await hubRequest(url, { method: 'GET', headers: hubHeaders(context.token), signal: AbortSignal.timeout(timeoutSeconds * 1000) }, 'all');
  if (!response.ok) {
    await response.body?.cancel();
    throw hubResponseError(response, answered, context);
  }
  const body = (await response.json().catch(() => undefined)) as { sha?: unknown; siblings?: { rfilename?: unknown }[] } | undefined;
  const files = Array.isArray(body?.siblings) ? body.siblings.map((s) => s?.rfilename) : undefined;
  if (typeof body?.sha !== 'string' || !isCommitHash(body.sha) || files === undefined || files.some((f) => typeof f !== 'string')) {
    throw new HubResponseError(`${url} did not answer a model's revision info (a 40-hex "sha" and "siblings" with "rfilename"): is HF_ENDPOINT a Hugging Face hub?`);
  }
  for (const file of files as string[]) checkRepoFile(file, url);
  return { commit: body.sha, files: files as string[] };
}

/** {endpoint}/{repo}/resolve/{revision}/{file}, quoted as hf_hub_url quotes it. */
function resolveUrl(endpoint: string, repoId: string, revision: string, file: string): string {
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * HEAD the file's /resolve/ URL following relative redirects only, and read it as get_hf_file_metadata does:
 * X-Repo-Commit; X-Linked-Etag before ETag (an LFS file's redirect carries its sha256 there); X-Linked-Size,
 * else Content-Length unless the answer is a redirect (#4699: that length is the redirect page's).
 * `Accept-Encoding: identity` so that Content-Length is the file's size, not a compressed one.
 */
export async function fetchFileMetadata(context: HubRequestContext & { file: string }, timeoutSeconds: number): Promise<FileMetadata> {
  const url = resolveUrl(context.endpoint, context.repoId, context.revision, context.file);
  const headers = { ...hubHeaders(context.token), 'accept-encoding': 'identity' };
  const { response, url: answered } = await hubRequest(url, { method: 'HEAD', headers, signal: AbortSignal.timeout(timeoutSeconds * 1000) }, 'relative');
  const redirect = response.status >= 300 && response.status <= 399;
  if (!response.ok && !redirect) throw hubResponseError(response, answered, context);
  const commit = response.headers.get('x-repo-commit');
  const etag = normalizeEtag(response.headers.get('x-linked-etag') ?? response.headers.get('etag'));
  const size = Number(response.headers.get('x-linked-size') ?? (redirect ? undefined : response.headers.get('content-length')) ?? Number.NaN);
  if (commit === null || etag === undefined || !Number.isSafeInteger(size) || size < 0) {
    const missing = commit === null ? 'X-Repo-Commit' : etag === undefined ? 'ETag' : 'a size (X-Linked-Size or Content-Length)';
    throw new HubResponseError(`${answered} answered without ${missing}: is HF_ENDPOINT a Hugging Face hub, or is a proxy rewriting its answers?`);
  }
  // The ETag becomes a file name in blobs/: refuse anything but a plain name.
  if (!/^[\w-]+$/.test(etag)) throw new HubResponseError(`${answered} answered the ETag "${etag}", which cannot name a cached blob`);
  const location = redirect ? new URL(response.headers.get('location') as string, answered).href : answered;
  return { commit, etag, size, location, sameOrigin: new URL(location).origin === new URL(answered).origin };
}

/** _normalize_etag: drop a weak `W/` prefix and the quotes. */
function normalizeEtag(etag: string | null): string | undefined {
  if (etag === null) return undefined;
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '') || undefined;
}
