import { ClipkitError } from '@clipkit/core';

/**
 * Every failure of a hub look-up or download. Each subclass's message is one line that says what
 * happened, for which repository, and what to do; the fields carry the same facts for programs.
 */
export class HubError extends ClipkitError {}

/** A string that starts with `hf:` or `hf-hub:` but does not name a repository (and revision) the hub accepts. */
export class HubReferenceError extends HubError {}

/** The hub answered 404 for the repository (or `X-Error-Code: RepoNotFound` without asking for a token). */
export class RepositoryNotFoundError extends HubError {
  constructor(
    readonly repoId: string,
    readonly endpoint: string,
  ) {
    super(`Hugging Face repository "${repoId}" was not found on ${endpoint} (404): check the name; if it is private, set HF_TOKEN or run \`huggingface-cli login\``);
  }
}

/**
 * The hub refused access (401/403): the repository is private or gated (or, as the hub answers the same
 * without a token, does not exist), or the token sent lacks access.
 */
export class RepositoryAccessError extends HubError {
  constructor(
    readonly repoId: string,
    readonly endpoint: string,
    readonly status: number,
    readonly gated: boolean,
    tokenSent: boolean,
  ) {
    const what = gated ? `is gated: accept its conditions on ${endpoint}/${repoId}, then` : 'is private or gated (or does not exist):';
    const todo = tokenSent ? 'use a token with access to it in HF_TOKEN (the one sent was refused)' : 'set HF_TOKEN or run `huggingface-cli login`';
    super(`Hugging Face repository "${repoId}" ${what} ${todo} (${status})`);
  }
}

/** The repository exists but the branch, tag or commit does not (`X-Error-Code: RevisionNotFound`). */
export class RevisionNotFoundError extends HubError {
  constructor(
    readonly repoId: string,
    readonly revision: string,
  ) {
    super(`Hugging Face repository "${repoId}" has no revision "${revision}": name an existing branch, tag or full commit sha after @`);
  }
}

/** A file the selection asked for is not in the repository at that revision. */
export class HubFileNotFoundError extends HubError {
  constructor(
    readonly repoId: string,
    readonly revision: string,
    readonly file: string,
  ) {
    super(`Hugging Face repository "${repoId}" has no file "${file}" at revision "${revision}": check the file name or the revision`);
  }
}

/** The repository holds none of the files the selection needs (e.g. no weights in a format clipkit reads). */
export class HubSelectionError extends HubError {}

/** The hub could not be reached (connection refused, DNS failure, timeout) and the cache cannot stand in. */
export class HubUnreachableError extends HubError {
  constructor(
    readonly repoId: string,
    readonly revision: string,
    readonly endpoint: string,
    readonly reason: string,
    readonly cachedRevisions: readonly string[],
  ) {
    const cached = cachedRevisions.length > 0 ? `cached revisions of it: ${cachedRevisions.join(', ')} (ask for one with @REVISION)` : 'nothing of it is cached';
    super(`Cannot reach ${endpoint} (${reason}) to fetch "${repoId}@${revision}"; ${cached}; check the network or HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use the cache only`);
  }
}

/** Offline (HF_HUB_OFFLINE or options.offline) and the cache does not hold what was asked for. */
export class HubOfflineCacheMissError extends HubError {
  constructor(
    readonly repoId: string,
    readonly revision: string,
    readonly cacheDir: string,
    readonly missing: string,
    readonly cachedRevisions: readonly string[],
  ) {
    const cached = cachedRevisions.length > 0 ? `cached revisions of it: ${cachedRevisions.join(', ')}` : 'nothing of it is cached';
    super(`Offline mode (HF_HUB_OFFLINE) and "${repoId}@${revision}" is not in the cache ${cacheDir}: ${missing}; ${cached}; unset HF_HUB_OFFLINE to download it`);
  }
}

/** A downloaded (or re-verified cached) file does not hash to the hub's ETag; the bad copy was removed. */
export class ChecksumMismatchError extends HubError {
  constructor(
    readonly repoId: string,
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`"${file}" of "${repoId}" is corrupt (its hash is ${actual}, the hub's ETag says ${expected}); the bad copy was removed: run again to download it anew`);
  }
}

/** The hub answered something a Hugging Face hub would not (a missing header, a bad file name, a 5xx). */
export class HubResponseError extends HubError {}
