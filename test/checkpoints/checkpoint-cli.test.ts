import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '@clipkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitOf, TestHub } from '../../packages/hub/src/test-hub.test-support.js';
import { CHECKPOINT_MODELS, CHECKPOINTS, expectReference, runCliAsync } from './fixtures.js';

// `clipkit embed --model ...` on every model of fixtures/checkpoints, on files that must be refused, and on hub names
// served by a local stand-in for huggingface.co: the CLI opens models only through openModel (inference/open-model.ts).

/** `clipkit embed` of a folder's inputs.safetensors (pixel values and token ids) into a fresh file; its tensors. */
async function embed(model: string, inputsFolder: string, env?: NodeJS.ProcessEnv) {
  const out = join(mkdtempSync(join(tmpdir(), 'clipkit-embed-')), 'out.safetensors');
  const inputs = `${CHECKPOINTS}/${inputsFolder}/inputs.safetensors`;
  const run = await runCliAsync(['embed', '--model', model, '--pixel-values', inputs, '--input-ids', inputs, '--out', out], { env });
  expect(run.status, run.stderr).toBe(0);
  const tensors = await readSafetensors(out);
  return { run, outputs: new Map([...tensors].map(([name, t]) => [name, t.data as Float32Array])) };
}

describe('clipkit embed --model <a folder of fixtures/checkpoints>', () => {
  it.each(CHECKPOINT_MODELS)('%s reproduces its outputs.safetensors', async (folder) => {
    const { outputs } = await embed(`${CHECKPOINTS}/${folder}`, folder);
    expectReference(`clipkit embed ${folder}`, outputs, await readSafetensors(`${CHECKPOINTS}/${folder}/outputs.safetensors`));
  });
});

describe('clipkit export-onnx --model <an OpenAI TorchScript archive>', () => {
  it('exports the archive, whose ONNX towers reproduce its outputs on onnxruntime', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'clipkit-onnx-')), 'onnx');
    const exported = await runCliAsync(['export-onnx', '--model', `${CHECKPOINTS}/openai-jit-vit/model.pt`, '--out', out]);
    expect(exported.status, exported.stderr).toBe(0);
    const { outputs } = await embed(out, 'openai-jit-vit');
    expectReference('clipkit export-onnx openai-jit-vit/model.pt, embed on onnxruntime', outputs, await readSafetensors(`${CHECKPOINTS}/openai-jit-vit/outputs.safetensors`));
  });
});

describe('clipkit embed refuses every malicious file', () => {
  const files = readdirSync(`${CHECKPOINTS}/malicious`).filter((f) => f.endsWith('.bin'));
  const markers = ['clipkit-evil-system.marker', 'clipkit-evil-eval.marker'];

  it.each(files)('%s, given directly and as a folder’s pytorch_model.bin, in one clear line; no marker appears', async (file) => {
    const folder = mkdtempSync(join(tmpdir(), 'clipkit-malicious-'));
    copyFileSync(`${CHECKPOINTS}/malicious/${file}`, join(folder, 'pytorch_model.bin'));
    copyFileSync(`${CHECKPOINTS}/open-clip-hub/open_clip_config.json`, join(folder, 'open_clip_config.json'));
    for (const model of [`${CHECKPOINTS}/malicious/${file}`, folder]) {
      // The markers would be created in the working directory of a process that ran the pickle's code.
      const cwd = mkdtempSync(join(tmpdir(), 'clipkit-cwd-'));
      const inputs = `${CHECKPOINTS}/open-clip-hub/inputs.safetensors`;
      const run = await runCliAsync(['embed', '--model', model, '--input-ids', inputs, '--out', join(cwd, 'out.safetensors')], { cwd });
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/^clipkit: \S+\.bin: .+\n$/);
      expect(readdirSync(cwd), model).toEqual([]);
      for (const marker of markers) expect(existsSync(join(cwd, marker))).toBe(false);
    }
  });
});

describe('clipkit embed --model hf:ORG/NAME against a local hub', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await TestHub.start({
      'clipkit-test/open-clip': { revisions: { main: `${CHECKPOINTS}/open-clip-hub` } },
      'clipkit-test/sharded': { revisions: { main: `${CHECKPOINTS}/hf-sharded` } },
    });
  });
  afterAll(() => hub.close());

  /** The CLI's environment: this hub and a fresh cache (HF_HUB_CACHE), never the machine's own cache, token or offline setting. */
  function hubEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const { HF_HUB_OFFLINE: _offline, HF_TOKEN: _token, HF_HOME: _home, ...inherited } = process.env;
    return { ...inherited, HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: mkdtempSync(join(tmpdir(), 'clipkit-hf-cache-')), ...extra };
  }

  /** The requests made while `run` runs, as "METHOD path". */
  async function requestsOf<T>(run: () => Promise<T>): Promise<{ result: T; requests: string[] }> {
    const before = hub.requests.length;
    const result = await run();
    return { result, requests: hub.requests.slice(before).map((r) => `${r.method} ${r.path}`) };
  }

  it('downloads the model once, then asks only for the revision, then works offline from the cache', async () => {
    const env = hubEnv();
    const reference = await readSafetensors(`${CHECKPOINTS}/open-clip-hub/outputs.safetensors`);
    const commit = commitOf('clipkit-test/open-clip', `${CHECKPOINTS}/open-clip-hub`);

    const first = await requestsOf(() => embed('hf:clipkit-test/open-clip', 'open-clip-hub', env));
    expectReference('clipkit embed hf:clipkit-test/open-clip (download)', first.result.outputs, reference);
    // The revision (commit and listing), then a HEAD and a GET of each file the model needs: the config and one weights file.
    expect(first.requests.filter((r) => r.startsWith('GET /api/'))).toEqual(['GET /api/models/clipkit-test/open-clip/revision/main']);
    expect(first.requests.filter((r) => r.startsWith('HEAD ')).sort()).toEqual(
      ['open_clip_config.json', 'open_clip_pytorch_model.bin'].map((f) => `HEAD /clipkit-test/open-clip/resolve/${commit}/${f}`),
    );
    expect(first.requests.filter((r) => r.startsWith('GET ') && !r.startsWith('GET /api/'))).toHaveLength(2);
    expect(first.result.run.stderr).toContain(`clipkit: hf:clipkit-test/open-clip is ${env.HF_HUB_CACHE}/models--clipkit-test--open-clip/snapshots/${commit}`);

    // A branch name costs the one revision request huggingface_hub's snapshot_download makes too; the files come from the cache.
    const second = await requestsOf(() => embed('hf:clipkit-test/open-clip', 'open-clip-hub', env));
    expect(second.requests).toEqual(['GET /api/models/clipkit-test/open-clip/revision/main']);
    expectReference('clipkit embed hf:clipkit-test/open-clip (cached)', second.result.outputs, reference);

    // Pinned to the commit, or offline: no request at all.
    for (const [model, extra] of [
      [`hf:clipkit-test/open-clip@${commit}`, {}],
      ['hf-hub:clipkit-test/open-clip', { HF_HUB_OFFLINE: '1' }],
    ] as const) {
      const cached = await requestsOf(() => embed(model, 'open-clip-hub', { ...env, ...extra }));
      expect(cached.requests, model).toEqual([]);
      expectReference(`clipkit embed ${model} ${JSON.stringify(extra)}`, cached.result.outputs, reference);
    }
  });

  it('fetches a sharded checkpoint with its shards, and fails clearly offline with an empty cache', async () => {
    const env = hubEnv();
    const { outputs } = await embed('hf:clipkit-test/sharded', 'hf-sharded', env);
    expectReference('clipkit embed hf:clipkit-test/sharded', outputs, await readSafetensors(`${CHECKPOINTS}/hf-sharded/outputs.safetensors`));

    const empty = hubEnv({ HF_HUB_OFFLINE: '1' });
    const { result: run, requests } = await requestsOf(() =>
      runCliAsync(['embed', '--model', 'hf:clipkit-test/sharded', '--input-ids', `${CHECKPOINTS}/hf-sharded/inputs.safetensors`, '--out', join(empty.HF_HUB_CACHE!, 'x')], {
        env: empty,
      }),
    );
    expect(requests).toEqual([]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^clipkit: .*clipkit-test\/sharded.*offline.*\n$/i);
  });
});
