import { HubReferenceError } from './hub-errors.js';

/** A model repository on the hub and the revision asked for. */
export interface HubReference {
  /** `ORG/NAME`, or `NAME` for the hub's legacy organisation-less repositories (e.g. `gpt2`). */
  repoId: string;
  /** Branch, tag or commit sha; `main` when the reference names none (huggingface_hub's DEFAULT_REVISION). */
  revision: string;
}

/** `hf:` is clipkit's prefix; `hf-hub:` is open_clip's (factory.py HF_HUB_PREFIX), accepted so its model names paste as they are. */
const PREFIXES = ['hf:', 'hf-hub:'];

// huggingface_hub utils/_validators.py REPO_ID_REGEX: an optional namespace, then 1-96 of [\w.-], starting and
// ending on a word character; `--` and `..` are refused, as is a `.git` ending.
const REPO_ID = /^(?:\w[\w.-]*\w\/|\w\/)?(?:\w[\w.-]{0,94}\w|\w)$/;

/** Full commit sha, as huggingface_hub's REGEX_COMMIT_HASH (file_download.py): only such a revision is immutable. */
export function isCommitHash(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

/**
 * Reads `hf:ORG/NAME[@REVISION]` (also `hf-hub:`, and `NAME` without an organisation). Returns undefined for a
 * string that is not a hub reference at all (a path, a built-in model name), and throws HubReferenceError for one
 * that has a hub prefix but a malformed repository id or revision.
 */
export function parseHubReference(ref: string): HubReference | undefined {
  const prefix = PREFIXES.find((p) => ref.startsWith(p));
  if (prefix === undefined) return undefined;
  const body = ref.slice(prefix.length);
  const at = body.indexOf('@');
  const repoId = at < 0 ? body : body.slice(0, at);
  const revision = at < 0 ? 'main' : body.slice(at + 1);
  checkRepoId(ref, repoId);
  checkRevision(ref, revision);
  return { repoId, revision };
}

function checkRepoId(ref: string, repoId: string): void {
  if (!REPO_ID.test(repoId) || repoId.includes('--') || repoId.includes('..') || repoId.endsWith('.git')) {
    throw new HubReferenceError(
      `"${ref}" is not a hub model reference: write hf:ORG/NAME[@REVISION] (letters, digits, "-", "_", "." up to 96 characters; no "--" or ".."), got repository "${repoId}"`,
    );
  }
}

// A revision becomes the path refs/<revision> in the cache (huggingface_hub writes branch "refs/pr/1" as
// refs/refs/pr/1), so it must stay inside refs/: no empty, "." or ".." segment, no backslash.
function checkRevision(ref: string, revision: string): void {
  const segments = revision.split('/');
  if (!/^[\w.\-/]+$/.test(revision) || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new HubReferenceError(`"${ref}" has a malformed revision "${revision}": after @ write a branch, tag or commit sha (letters, digits, "-", "_", ".", "/")`);
  }
}
