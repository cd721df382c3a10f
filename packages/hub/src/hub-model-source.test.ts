import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubModelSource } from './hub-model-source.js';
import { CHECKPOINTS, commitOf, TestHub } from './test-hub.test-support.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await TestHub.start({ 'clipkit/open-clip': { revisions: { main: `${CHECKPOINTS}/open-clip-hub` } } });
});
afterAll(() => hub.close());

describe('hubModelSource', () => {
  it('resolves hf: and hf-hub: names to their snapshot folder, and leaves every other reference alone', async () => {
    const env = await hub.env();
    const logged: string[] = [];
    const source = hubModelSource({ env, onProgress: false });
    const context = { log: (m: string) => logged.push(m) };
    const snapshot = join(env.HF_HOME, 'hub', 'models--clipkit--open-clip', 'snapshots', commitOf('clipkit/open-clip', `${CHECKPOINTS}/open-clip-hub`));
    expect(await source.resolve!('hf:clipkit/open-clip', context)).toBe(snapshot);
    expect(await source.resolve!('hf-hub:clipkit/open-clip', context)).toBe(snapshot);
    expect(logged).toEqual([`clipkit: hf:clipkit/open-clip is ${snapshot}`, `clipkit: hf-hub:clipkit/open-clip is ${snapshot}`]);
    const before = hub.requests.length;
    for (const ref of ['clipkit/open-clip', `${CHECKPOINTS}/open-clip-hub`, 'ViT-B-32']) expect(await source.resolve!(ref, context)).toBeUndefined();
    expect(hub.requests.length).toBe(before);
  });
});
