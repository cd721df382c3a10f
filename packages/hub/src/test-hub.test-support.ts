import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The reference fixtures' tiny models, served as hub repositories. */
export const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
export const CHECKPOINTS = `${process.env.CLIPKIT_SHARED}/fixtures/checkpoints`;

/** A repository the test hub serves: each revision name (branch or tag) maps to a fixture folder. */
export interface TestRepo {
  revisions: Record<string, string>;
  /** private: 401 RepoNotFound everywhere without the token; gated: the listing is public, files answer 401/403 GatedRepo. */
  access?: 'public' | 'private' | 'gated';
}

export interface LoggedRequest {
  method: string;
  /** `hub` for the endpoint, `cdn` for the second origin LFS files may be redirected to. */
  server: 'hub' | 'cdn';
  path: string;
  range: string | undefined;
  authorization: string | undefined;
}

/** The commit sha the test hub gives a revision: sha1 of the repository and folder, so the same folder keeps its sha. */
export function commitOf(repoId: string, folder: string): string {
  return createHash('sha1').update(`${repoId}\0${folder}`).digest('hex');
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The git blob id, the ETag the hub gives a file stored in git. */
export function gitBlobSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

// The LFS patterns of a Hugging Face repository's default .gitattributes (weights, SentencePiece models).
const isLfs = (file: string) => /\.(safetensors|bin|model|onnx)$/.test(file);

/**
 * A Hugging Face hub on 127.0.0.1, as far as downloads see it: the revision API, /resolve/ with X-Repo-Commit,
 * ETag (git sha1) or, for LFS files, a 302 to a CDN URL with X-Linked-Etag (sha256) and X-Linked-Size, Range
 * requests, 401/403/404 with X-Error-Code, renamed repositories (relative 307). Every request is logged.
 */
export class TestHub {
  readonly requests: LoggedRequest[] = [];
  /** Files whose next GET sends half the bytes and then destroys the socket. */
  readonly cutOnce = new Set<string>();
  /** Files served with one byte flipped (the ETag stays the true one). */
  readonly tampered = new Set<string>();
  /** Old repository id -> new one: both the API and /resolve/ answer a relative 307 to the new name. */
  readonly renamed = new Map<string, string>();
  /** LFS redirects go to `${cdnOrigin}/cdn/<sha256>`: this server by default, or the second one (another origin). */
  cdnOrigin: string;

  private constructor(
    private readonly repos: Record<string, TestRepo>,
    private readonly token: string | undefined,
    private readonly hub: Server,
    private readonly cdn: Server,
  ) {
    this.cdnOrigin = this.endpoint;
  }

  static async start(repos: Record<string, TestRepo>, token?: string): Promise<TestHub> {
    let self: TestHub | undefined;
    const hub = createServer((req, res) => self?.handle('hub', req, res));
    const cdn = createServer((req, res) => self?.handle('cdn', req, res));
    await Promise.all([hub, cdn].map((server) => new Promise<void>((done) => server.listen(0, '127.0.0.1', done))));
    self = new TestHub(repos, token, hub, cdn);
    for (const url of [self.endpoint, self.otherOrigin]) assert.equal(new URL(url).hostname, '127.0.0.1', 'the test hub must never be a remote address');
    return self;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.hub.address() as AddressInfo).port}`;
  }

  /** The second server's origin (another port: another origin, so no token may go there). */
  get otherOrigin(): string {
    return `http://127.0.0.1:${(this.cdn.address() as AddressInfo).port}`;
  }

  /** Environment for resolveHubModel: this endpoint and a fresh HF_HOME, never the machine's own. */
  async env(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    assert.equal(new URL(this.endpoint).hostname, '127.0.0.1');
    return { HF_ENDPOINT: this.endpoint, HF_HOME: await mkdtemp(join(tmpdir(), 'clipkit-hub-')), ...extra };
  }

  async close(): Promise<void> {
    for (const server of [this.hub, this.cdn]) {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  }

  private handle(server: 'hub' | 'cdn', req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURI(req.url ?? '/');
    this.requests.push({ method: req.method ?? '', server, path, range: req.headers.range, authorization: req.headers.authorization });
    const api = /^\/api\/models\/(.+)\/revision\/([^/]+)$/.exec(path);
    const resolve = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(path);
    if (api) this.revisionInfo(req, res, api[1], decodeURIComponent(api[2]));
    else if (resolve) this.resolveFile(req, res, resolve[1], decodeURIComponent(resolve[2]), resolve[3]);
    else if (cdn) this.cdnBlob(req, res, cdn[1]);
    else fail(res, 404, 'RepoNotFound');
  }

  /** The repository, revision and folder a request names, after renames and access checks; undefined once answered. */
  private find(req: IncomingMessage, res: ServerResponse, repoId: string, revision: string, kind: 'api' | 'file') {
    const target = this.renamed.get(repoId);
    if (target !== undefined) {
      const location = (req.url ?? '').replace(`/${repoId}/`, `/${target}/`);
      res.writeHead(307, { location }).end();
      return undefined;
    }
    const repo = this.repos[repoId];
    if (repo === undefined) return fail(res, 404, 'RepoNotFound');
    const authorized = this.token !== undefined && req.headers.authorization === `Bearer ${this.token}`;
    if (repo.access === 'private' && !authorized) return fail(res, 401, 'RepoNotFound');
    if (repo.access === 'gated' && kind === 'file' && !authorized) return fail(res, req.headers.authorization ? 403 : 401, 'GatedRepo');
    const entry = Object.entries(repo.revisions).find(([name, folder]) => name === revision || commitOf(repoId, folder) === revision);
    if (entry === undefined) return fail(res, 404, 'RevisionNotFound');
    return { folder: entry[1], commit: commitOf(repoId, entry[1]) };
  }

  private revisionInfo(req: IncomingMessage, res: ServerResponse, repoId: string, revision: string): void {
    const found = this.find(req, res, repoId, revision, 'api');
    if (found === undefined) return;
    const siblings = readdirSync(found.folder).map((rfilename) => ({ rfilename }));
    const body = JSON.stringify({ id: repoId, modelId: repoId, sha: found.commit, private: this.repos[repoId].access === 'private', siblings });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  }

  private resolveFile(req: IncomingMessage, res: ServerResponse, repoId: string, revision: string, file: string): void {
    const found = this.find(req, res, repoId, revision, 'file');
    if (found === undefined) return;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(found.folder, file));
    } catch {
      res.writeHead(404, { 'x-error-code': 'EntryNotFound', 'x-repo-commit': found.commit }).end();
      return;
    }
    if (isLfs(file)) {
      const page = `Found. Redirecting to ${this.cdnOrigin}/cdn/${sha256(bytes)}`;
      res
        .writeHead(302, {
          location: `${this.cdnOrigin}/cdn/${sha256(bytes)}`,
          'x-repo-commit': found.commit,
          'x-linked-etag': `"${sha256(bytes)}"`,
          'x-linked-size': bytes.length,
          // The pointer file's id: what ETag says on an LFS redirect; X-Linked-Etag must win over it.
          etag: `"${gitBlobSha1(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(bytes)}\nsize ${bytes.length}\n`))}"`,
          'content-length': Buffer.byteLength(page),
        })
        .end(req.method === 'HEAD' ? undefined : page);
      return;
    }
    this.send(req, res, file, bytes, { etag: `"${gitBlobSha1(bytes)}"`, 'x-repo-commit': found.commit });
  }

  private cdnBlob(req: IncomingMessage, res: ServerResponse, hash: string): void {
    for (const repo of Object.values(this.repos)) {
      for (const folder of Object.values(repo.revisions)) {
        for (const file of readdirSync(folder)) {
          const bytes = readFileSync(join(folder, file));
          if (isLfs(file) && sha256(bytes) === hash) {
            this.send(req, res, file, bytes, { etag: `"${hash}"` });
            return;
          }
        }
      }
    }
    res.writeHead(404).end();
  }

  /** The bytes (or the part a `Range: bytes=N-` asks for), cut half-way or tampered with when the test asked so. */
  private send(req: IncomingMessage, res: ServerResponse, file: string, bytes: Buffer, headers: Record<string, string>): void {
    const body = this.tampered.has(file) ? Buffer.from(bytes.map((b, i) => (i === 0 ? b ^ 0xff : b))) : bytes;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const part = body.subarray(start);
    const status = range ? 206 : 200;
    const rangeHeader = range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {};
    res.writeHead(status, { ...headers, ...rangeHeader, 'accept-ranges': 'bytes', 'content-length': part.length });
    if (req.method === 'HEAD') {
      res.end();
    } else if (this.cutOnce.delete(file)) {
      res.write(part.subarray(0, part.length >> 1), () => setTimeout(() => res.socket?.destroy(), 50));
    } else {
      res.end(part);
    }
  }
}

function fail(res: ServerResponse, status: number, code: string): undefined {
  res.writeHead(status, { 'x-error-code': code, 'content-type': 'application/json' }).end(JSON.stringify({ error: code }));
  return undefined;
}
