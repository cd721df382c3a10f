import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubDownloadProgress } from './download-progress.js';
import { HubSelectionError } from './hub-errors.js';
import { resolveHubModel } from './resolve-hub-model.js';
import { CHECKPOINTS, commitOf, gitBlobSha1, MODELS, sha256, TestHub } from './test-hub.test-support.js';

const QUICKGELU = `${MODELS}/vit-b-tiny-quickgelu`;
const GELU = `${MODELS}/vit-b-tiny-gelu`;
let hub: TestHub;

beforeAll(async () => {
  hub = await TestHub.start({
    'clipkit/tiny': { revisions: { main: QUICKGELU, v1: GELU } },
    'clipkit/siglip-tiny': { revisions: { main: `${MODELS}/siglip-tiny` } },
    'clipkit/sharded': { revisions: { main: `${CHECKPOINTS}/hf-sharded` } },
    'clipkit/open-clip-bin': { revisions: { main: `${CHECKPOINTS}/open-clip-hub` } },
    'clipkit/onnx-only': { revisions: { main: `${MODELS}/onnx` } },
    tiny: { revisions: { main: GELU } },
  });
});
afterAll(() => hub.close());

/** Requests made while `run` runs. */
async function counted<T>(run: () => Promise<T>): Promise<{ result: T; requests: typeof hub.requests }> {
  const before = hub.requests.length;
  const result = await run();
  return { result, requests: hub.requests.slice(before) };
}

const cacheOf = (env: Record<string, string>) => join(env.HF_HOME, 'hub');

describe('resolveHubModel against a local hub', () => {
  it('downloads the selection into huggingface_hub’s cache layout, then finds it there', async () => {
    const env = await hub.env();
    const events: HubDownloadProgress[] = [];
    const { result: folder, requests } = await counted(() => resolveHubModel('hf:clipkit/tiny', { env, onProgress: (p) => events.push(p) }));

    const commit = commitOf('clipkit/tiny', QUICKGELU);
    const repo = join(cacheOf(env), 'models--clipkit--tiny');
    expect(folder).toBe(join(repo, 'snapshots', commit));
    expect(readdirSync(folder).sort()).toEqual(['model.safetensors', 'open_clip_config.json']); // not README, inputs, outputs
    expect(readFileSync(join(repo, 'refs', 'main'), 'utf8')).toBe(commit);
    for (const [file, etag] of [
      ['model.safetensors', sha256(readFileSync(`${QUICKGELU}/model.safetensors`))],
      ['open_clip_config.json', gitBlobSha1(readFileSync(`${QUICKGELU}/open_clip_config.json`))],
    ]) {
      expect(lstatSync(join(folder, file)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(folder, file))).toBe(`../../blobs/${etag}`);
      expect(readFileSync(join(folder, file)).equals(readFileSync(join(QUICKGELU, file)))).toBe(true);
    }
    expect(readdirSync(join(repo, 'blobs')).filter((f) => f.endsWith('.incomplete'))).toEqual([]);
    expect(readdirSync(join(cacheOf(env), '.locks', 'models--clipkit--tiny'))).toEqual([]);
    expect(readFileSync(join(cacheOf(env), 'CACHEDIR.TAG'), 'utf8')).toMatch(/^Signature: 8a477f597d28d172789f06886806bc55\n/);

    // One listing, one HEAD per file, one GET per file: the LFS file straight from the CDN address the HEAD gave.
    expect(requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        'GET /api/models/clipkit/tiny/revision/main',
        `HEAD /clipkit/tiny/resolve/${commit}/model.safetensors`,
        `HEAD /clipkit/tiny/resolve/${commit}/open_clip_config.json`,
        `GET /cdn/${sha256(readFileSync(`${QUICKGELU}/model.safetensors`))}`,
        `GET /clipkit/tiny/resolve/${commit}/open_clip_config.json`,
      ].sort(),
    );
    const total = ['model.safetensors', 'open_clip_config.json'].reduce((sum, f) => sum + readFileSync(join(QUICKGELU, f)).length, 0);
    expect(events.at(-1)).toMatchObject({ bytes: total, total });
    expect(events.every((e, i) => i === 0 || e.bytes >= events[i - 1].bytes)).toBe(true);
    expect(events.at(-1)?.bytesPerSecond).toBeGreaterThan(0);

    // Cached: a branch costs the one listing request snapshot_download makes; a commit sha costs none.
    expect((await counted(() => resolveHubModel('hf:clipkit/tiny', { env }))).requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/models/clipkit/tiny/revision/main']);
    const pinned = await counted(() => resolveHubModel(`hf:clipkit/tiny@${commit}`, { env }));
    expect(pinned.result).toBe(folder);
    expect(pinned.requests).toEqual([]);
    // Offline, the ref written above leads to the same snapshot without a request.
    const offline = await counted(() => resolveHubModel('hf:clipkit/tiny', { env: { ...env, HF_HUB_OFFLINE: '1' } }));
    expect(offline.result).toBe(folder);
    expect(offline.requests).toEqual([]);
  });

  it('pins @REVISION: a tag and its commit sha give the other revision’s files', async () => {
    const env = await hub.env();
    const main = await resolveHubModel('hf:clipkit/tiny', { env, onProgress: false });
    const v1 = await resolveHubModel('hf:clipkit/tiny@v1', { env, onProgress: false });
    const byCommit = await resolveHubModel(`hf:clipkit/tiny@${commitOf('clipkit/tiny', GELU)}`, { env, onProgress: false });
    expect(v1).not.toBe(main);
    expect(byCommit).toBe(v1);
    for (const file of ['model.safetensors', 'open_clip_config.json']) {
      expect(readFileSync(join(v1, file)).equals(readFileSync(join(GELU, file)))).toBe(true);
      expect(readFileSync(join(main, file)).equals(readFileSync(join(QUICKGELU, file)))).toBe(true);
    }
    expect(readFileSync(join(cacheOf(env), 'models--clipkit--tiny', 'refs', 'v1'), 'utf8')).toBe(commitOf('clipkit/tiny', GELU));
  });

  it('finds offline a cache written by hand in huggingface_hub’s layout (HF_HUB_CACHE, relative symlinks, refs)', async () => {
    const env = await hub.env();
    const cacheDir = join(env.HF_HOME, 'elsewhere');
    const commit = 'a'.repeat(40);
    const repo = join(cacheDir, 'models--clipkit--tiny');
    await mkdir(join(repo, 'blobs'), { recursive: true });
    await mkdir(join(repo, 'refs'), { recursive: true });
    await mkdir(join(repo, 'snapshots', commit), { recursive: true });
    writeFileSync(join(repo, 'refs', 'main'), commit);
    for (const file of ['model.safetensors', 'open_clip_config.json']) {
      const etag = sha256(readFileSync(join(GELU, file)));
      writeFileSync(join(repo, 'blobs', etag), readFileSync(join(GELU, file)));
      await symlink(`../../blobs/${etag}`, join(repo, 'snapshots', commit, file));
    }
    const { result, requests } = await counted(() => resolveHubModel('hf:clipkit/tiny', { env: { ...env, HF_HUB_CACHE: cacheDir, HF_HUB_OFFLINE: '1' } }));
    expect(result).toBe(join(repo, 'snapshots', commit));
    expect(requests).toEqual([]);
  });

  it('resumes a transfer the server cut half-way with a Range request', async () => {
    const env = await hub.env();
    const size = readFileSync(`${QUICKGELU}/model.safetensors`).length;
    hub.cutOnce.add('model.safetensors');
    const { result: folder, requests } = await counted(() => resolveHubModel('hf:clipkit/tiny', { env, onProgress: false }));
    const gets = requests.filter((r) => r.path.startsWith('/cdn/'));
    expect(gets.map((r) => r.range)).toEqual([undefined, expect.stringMatching(/^bytes=\d+-$/)]);
    const resumedAt = Number(/\d+/.exec(gets[1].range ?? '')?.[0]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(size);
    expect(sha256(readFileSync(join(folder, 'model.safetensors')))).toBe(sha256(readFileSync(`${QUICKGELU}/model.safetensors`)));
  });

  it('resumes from blobs/<etag>.incomplete left by an earlier run', async () => {
    const env = await hub.env();
    const bytes = readFileSync(`${QUICKGELU}/model.safetensors`);
    const blobs = join(cacheOf(env), 'models--clipkit--tiny', 'blobs');
    await mkdir(blobs, { recursive: true });
    writeFileSync(join(blobs, `${sha256(bytes)}.incomplete`), bytes.subarray(0, 1000));
    const events: HubDownloadProgress[] = [];
    const { result: folder, requests } = await counted(() => resolveHubModel('hf:clipkit/tiny', { env, onProgress: (p) => events.push(p) }));
    expect(requests.filter((r) => r.path.startsWith('/cdn/')).map((r) => r.range)).toEqual(['bytes=1000-']);
    // Config first (its own bytes), then the weights start at the 1000 bytes already on disk.
    const config = readFileSync(`${QUICKGELU}/open_clip_config.json`).length;
    expect(events.find((e) => e.file === 'model.safetensors')).toMatchObject({ bytes: config + 1000, total: config + bytes.length });
    expect(readFileSync(join(folder, 'model.safetensors')).equals(bytes)).toBe(true);
  });

  it('re-hashes cached blobs with verify and fetches a corrupted one again', async () => {
    const env = await hub.env();
    const folder = await resolveHubModel('hf:clipkit/tiny', { env, onProgress: false });
    const good = readFileSync(join(folder, 'model.safetensors'));
    writeFileSync(join(folder, 'model.safetensors'), Buffer.concat([good.subarray(0, 100), Buffer.from([good[100] ^ 1]), good.subarray(101)])); // through the symlink

    // huggingface_hub never re-hashes a cached blob: without verify the corruption goes unseen.
    const unchecked = await counted(() => resolveHubModel('hf:clipkit/tiny', { env, onProgress: false }));
    expect(unchecked.requests.filter((r) => r.method !== 'GET' || !r.path.startsWith('/api/'))).toEqual([]);

    const { result, requests } = await counted(() => resolveHubModel('hf:clipkit/tiny', { env, verify: true, onProgress: false }));
    expect(result).toBe(folder);
    expect(requests.filter((r) => r.path.startsWith('/cdn/')).length).toBe(1);
    expect(readFileSync(join(folder, 'model.safetensors')).equals(good)).toBe(true);
  });

  it('fetches the shards a sharded index names, and picks .bin or SigLIP files when that is what the repository has', async () => {
    const env = await hub.env();
    const sharded = await resolveHubModel('hf:clipkit/sharded', { env, onProgress: false });
    expect(readdirSync(sharded).sort()).toEqual([
      'config.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
      'preprocessor_config.json',
    ]);
    expect(readdirSync(await resolveHubModel('hf-hub:clipkit/open-clip-bin', { env, onProgress: false })).sort()).toEqual(['open_clip_config.json', 'open_clip_pytorch_model.bin']);
    expect(readdirSync(await resolveHubModel('hf:clipkit/siglip-tiny', { env, onProgress: false })).sort()).toEqual([
      'config.json',
      'model.safetensors',
      'preprocessor_config.json',
      'special_tokens_map.json',
      'spiece.model',
      'tokenizer_config.json',
    ]);
    await expect(resolveHubModel('hf:clipkit/onnx-only', { env, onProgress: false })).rejects.toThrow(HubSelectionError);
  });

  it('takes options.select, organisation-less names and renamed repositories (relative redirects)', async () => {
    const env = await hub.env();
    const configOnly = await resolveHubModel('hf:clipkit/tiny', { env, onProgress: false, select: () => ['open_clip_config.json'] });
    expect(readdirSync(configOnly)).toEqual(['open_clip_config.json']);

    const bare = await resolveHubModel('hf:tiny', { env, onProgress: false });
    expect(bare).toBe(join(cacheOf(env), 'models--tiny', 'snapshots', commitOf('tiny', GELU)));

    hub.renamed.set('old-org/tiny', 'clipkit/tiny');
    const { result: renamed, requests } = await counted(() => resolveHubModel('hf:old-org/tiny', { env, onProgress: false }));
    hub.renamed.clear();
    // huggingface_hub keeps the name asked for in the cache folder.
    expect(renamed).toBe(join(cacheOf(env), 'models--old-org--tiny', 'snapshots', commitOf('clipkit/tiny', QUICKGELU)));
    expect(requests.filter((r) => r.path.startsWith('/old-org/')).map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
    expect(readFileSync(join(renamed, 'model.safetensors')).equals(readFileSync(`${QUICKGELU}/model.safetensors`))).toBe(true);
  });

  it('downloads a blob once when two resolves run at the same time (one lock per blob)', async () => {
    const env = await hub.env();
    const { result, requests } = await counted(() =>
      Promise.all([resolveHubModel('hf:clipkit/tiny', { env, onProgress: false }), resolveHubModel('hf:clipkit/tiny', { env, onProgress: false })]),
    );
    expect(result[0]).toBe(result[1]);
    expect(requests.filter((r) => r.path.startsWith('/cdn/')).length).toBe(1);
    expect(readFileSync(join(result[0], 'model.safetensors')).equals(readFileSync(`${QUICKGELU}/model.safetensors`))).toBe(true);
  });

  it('leaves nothing behind when the bytes do not match the ETag', async () => {
    const env = await hub.env();
    hub.tampered.add('model.safetensors');
    const attempt = resolveHubModel('hf:clipkit/tiny', { env, onProgress: false });
    await expect(attempt).rejects.toThrow(/^"model\.safetensors" of "clipkit\/tiny" is corrupt .* the bad copy was removed: run again/);
    hub.tampered.clear();
    const repo = join(cacheOf(env), 'models--clipkit--tiny');
    expect(readdirSync(join(repo, 'blobs')).filter((f) => f.length === 64 || f.endsWith('.incomplete'))).toEqual([]);
    expect(existsSync(join(repo, 'snapshots', commitOf('clipkit/tiny', QUICKGELU), 'model.safetensors'))).toBe(false);
  });
});
