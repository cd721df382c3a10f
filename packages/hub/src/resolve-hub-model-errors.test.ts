import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubOfflineCacheMissError, HubReferenceError, HubUnreachableError, RepositoryAccessError, RepositoryNotFoundError, RevisionNotFoundError } from './hub-errors.js';
import { resolveHubModel } from './resolve-hub-model.js';
import { commitOf, MODELS, TestHub } from './test-hub.test-support.js';

const QUICKGELU = `${MODELS}/vit-b-tiny-quickgelu`;
const TOKEN = 'hf_test_token';
let hub: TestHub;

beforeAll(async () => {
  hub = await TestHub.start(
    {
      'clipkit/tiny': { revisions: { main: QUICKGELU } },
      'clipkit/private': { revisions: { main: QUICKGELU }, access: 'private' },
      'clipkit/gated': { revisions: { main: QUICKGELU }, access: 'gated' },
    },
    TOKEN,
  );
});
afterAll(() => hub.close());

/** The error a resolve fails with, and the requests it made. */
async function failure(ref: string, env: Record<string, string>): Promise<{ error: Error; requests: typeof hub.requests }> {
  const before = hub.requests.length;
  const error = await resolveHubModel(ref, { env, onProgress: false }).then(
    () => new Error('resolved'),
    (e: Error) => e,
  );
  return { error, requests: hub.requests.slice(before) };
}

describe('resolveHubModel errors', () => {
  it('401 on a private repository: set HF_TOKEN or log in; with HF_TOKEN it downloads, the token never leaving the hub’s origin', async () => {
    const env = await hub.env();
    const { error } = await failure('hf:clipkit/private', env);
    expect(error).toBeInstanceOf(RepositoryAccessError);
    expect(error.message).toBe('Hugging Face repository "clipkit/private" is private or gated (or does not exist): set HF_TOKEN or run `huggingface-cli login` (401)');

    hub.cdnOrigin = hub.otherOrigin;
    const before = hub.requests.length;
    const folder = await resolveHubModel('hf:clipkit/private', { env: { ...env, HF_TOKEN: TOKEN }, onProgress: false });
    hub.cdnOrigin = hub.endpoint;
    const requests = hub.requests.slice(before);
    expect(readFileSync(join(folder, 'model.safetensors')).equals(readFileSync(`${QUICKGELU}/model.safetensors`))).toBe(true);
    expect(requests.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(requests.filter((r) => r.server === 'cdn').map((r) => [r.method, r.authorization])).toEqual([['GET', undefined]]);
  });

  it('reads the token `huggingface-cli login` saved in HF_HOME/token', async () => {
    const env = await hub.env();
    writeFileSync(join(env.HF_HOME, 'token'), `${TOKEN}\n`);
    await expect(resolveHubModel('hf:clipkit/private', { env, onProgress: false })).resolves.toContain('models--clipkit--private');
  });

  it('401/403 GatedRepo: accept the conditions, then set a token', async () => {
    const env = await hub.env();
    const unauthenticated = await failure('hf:clipkit/gated', env);
    expect(unauthenticated.error.message).toBe(
      `Hugging Face repository "clipkit/gated" is gated: accept its conditions on ${hub.endpoint}/clipkit/gated, then set HF_TOKEN or run \`huggingface-cli login\` (401)`,
    );
    const refused = await failure('hf:clipkit/gated', { ...env, HF_TOKEN: 'hf_other' });
    expect(refused.error.message).toBe(
      `Hugging Face repository "clipkit/gated" is gated: accept its conditions on ${hub.endpoint}/clipkit/gated, then use a token with access to it in HF_TOKEN (the one sent was refused) (403)`,
    );
  });

  it('404: repository or revision not found', async () => {
    const env = await hub.env();
    const missing = await failure('hf:clipkit/nope', env);
    expect(missing.error).toBeInstanceOf(RepositoryNotFoundError);
    expect(missing.error.message).toBe(
      `Hugging Face repository "clipkit/nope" was not found on ${hub.endpoint} (404): check the name; if it is private, set HF_TOKEN or run \`huggingface-cli login\``,
    );
    const revision = await failure('hf:clipkit/tiny@v9', env);
    expect(revision.error).toBeInstanceOf(RevisionNotFoundError);
    expect(revision.error.message).toBe('Hugging Face repository "clipkit/tiny" has no revision "v9": name an existing branch, tag or full commit sha after @');
  });

  it('HF_HUB_OFFLINE with an empty cache fails without a request', async () => {
    const env = await hub.env({ HF_HUB_OFFLINE: '1' });
    const { error, requests } = await failure('hf:clipkit/tiny', env);
    expect(error).toBeInstanceOf(HubOfflineCacheMissError);
    expect(error.message).toBe(
      `Offline mode (HF_HUB_OFFLINE) and "clipkit/tiny@main" is not in the cache ${join(env.HF_HOME, 'hub')}: no snapshot of revision "main"; nothing of it is cached; unset HF_HUB_OFFLINE to download it`,
    );
    expect(requests).toEqual([]);
  });

  it('no network: falls back to the cached revision as huggingface_hub does, else lists what is cached', async () => {
    const env = await hub.env();
    const folder = await resolveHubModel('hf:clipkit/tiny', { env, onProgress: false });
    const down = await TestHub.start({});
    const endpoint = down.endpoint;
    await down.close(); // nothing listens there any more: connection refused
    const offlineEnv = { ...env, HF_ENDPOINT: endpoint };
    await expect(resolveHubModel('hf:clipkit/tiny', { env: offlineEnv, onProgress: false })).resolves.toBe(folder);
    const { error } = await failure('hf:clipkit/tiny@v2', offlineEnv);
    expect(error).toBeInstanceOf(HubUnreachableError);
    expect(error.message).toBe(
      `Cannot reach ${endpoint} (ECONNREFUSED) to fetch "clipkit/tiny@v2"; cached revisions of it: main -> ${commitOf('clipkit/tiny', QUICKGELU).slice(0, 7)} (ask for one with @REVISION); check the network or HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use the cache only`,
    );
  });

  it('refuses references that are not hub references', async () => {
    const env = await hub.env();
    await expect(resolveHubModel('ViT-B-32', { env })).rejects.toThrow(HubReferenceError);
    await expect(resolveHubModel('hf:a/b/c', { env })).rejects.toThrow(/is not a hub model reference/);
  });
});
