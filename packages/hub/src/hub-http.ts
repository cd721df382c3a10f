import { HubFileNotFoundError, HubResponseError, RepositoryAccessError, RepositoryNotFoundError, RevisionNotFoundError } from './hub-errors.js';

/** The hub could not be reached at all (refused, DNS, timeout, cut before any answer): resolveHubModel may fall back to the cache. */
export class NetworkFailure extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${url}: ${reason}`, options);
  }
}

/** Whom a request is for: its error messages name them. */
export interface HubRequestContext {
  endpoint: string;
  repoId: string;
  revision: string;
  file?: string;
  token: string | undefined;
}

export interface HubResponse {
  response: Response;
  /** The URL that answered, after the redirects that were followed. */
  url: string;
}

const MAX_REDIRECTS = 10;

/**
 * One request, with redirects followed by hand so that `Authorization` is dropped as soon as a redirect leaves
 * the origin it was sent to (httpx, which huggingface_hub uses, strips it the same way in `_redirect_headers`),
 * and so that a HEAD can stop at an absolute redirect: huggingface_hub follows only relative ones there
 * (_httpx_follow_relative_redirects_with_backoff: a renamed repository), and takes an absolute Location
 * (the CDN holding an LFS file) as the address to download from.
 */
export async function hubRequest(
  url: string,
  init: { method: 'GET' | 'HEAD'; headers: Record<string, string>; signal?: AbortSignal },
  follow: 'all' | 'relative',
): Promise<HubResponse> {
  const headers = { ...init.headers };
  let current = url;
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await fetch(current, { method: init.method, headers, redirect: 'manual', signal: init.signal });
    } catch (error) {
      throw new NetworkFailure(current, failureReason(error), { cause: error });
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) return { response, url: current };
    const relativeLocation = !/^[a-z][a-z\d+.-]*:|^\/\//i.test(location);
    if (follow === 'relative' && !relativeLocation) return { response, url: current };
    if (hop === MAX_REDIRECTS) throw new HubResponseError(`${url}: more than ${MAX_REDIRECTS} redirects`);
    await response.body?.cancel();
    const next = new URL(location, current);
    if (next.origin !== new URL(current).origin) delete headers.authorization;
    current = next.href;
  }
}

/** Why a fetch failed, in a few words: the system error code (ECONNREFUSED, ENOTFOUND, ...) when there is one. */
export function failureReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * The ClipkitError for a failed hub answer, read as huggingface_hub's hf_raise_for_status reads it: first the
 * `X-Error-Code` header (RevisionNotFound, EntryNotFound, GatedRepo, RepoNotFound), then the status.
 */
export function hubResponseError(response: Response, url: string, context: HubRequestContext): Error {
  const code = response.headers.get('x-error-code');
  const { repoId, revision, endpoint } = context;
  if (code === 'RevisionNotFound') return new RevisionNotFoundError(repoId, revision);
  if (code === 'EntryNotFound' && context.file !== undefined) return new HubFileNotFoundError(repoId, revision, context.file);
  if (code === 'GatedRepo') return new RepositoryAccessError(repoId, endpoint, response.status, true, context.token !== undefined);
  // The hub answers 401 both for a private or gated repository and for a missing one when no token is sent
  // (hf_raise_for_status treats both as RepoNotFound): only a 404 says for sure that it does not exist.
  if (response.status === 401 || response.status === 403) return new RepositoryAccessError(repoId, endpoint, response.status, false, context.token !== undefined);
  if (response.status === 404 && context.file !== undefined && code !== 'RepoNotFound') return new HubFileNotFoundError(repoId, revision, context.file);
  if (response.status === 404) return new RepositoryNotFoundError(repoId, endpoint);
  const message = response.headers.get('x-error-message');
  return new HubResponseError(
    `${url} answered ${response.status} ${response.statusText}${message ? ` (${message})` : ''}: try again later, or set HF_HUB_OFFLINE=1 to use the cache`,
  );
}
