import { assembleClip, type ContrastiveLoss, LOSS, parseClipConfig } from '@clipkit/core';
import { initTfjs } from '@clipkit/backend-tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipLoss } from './clip-loss.js';
import { lossPlugins } from './loss-plugins.js';
import { SigLipLoss } from './siglip-loss.js';

const MODEL = { embedDim: 8, vision: { type: 'vit' }, text: { type: 'transformer' } };

async function resolveLoss(loss: unknown): Promise<{ instance: ContrastiveLoss; dispose: () => Promise<void> }> {
  const assembly = assembleClip(parseClipConfig({ model: MODEL, ...(loss === undefined ? {} : { loss }) }), lossPlugins, { log: () => undefined });
  return { instance: assembly.resolve(LOSS), dispose: () => assembly.dispose() };
}

describe('lossPlugins', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('fills the LOSS slot with ClipLoss by default (loss.type "clip")', async () => {
    const { instance, dispose } = await resolveLoss(undefined);
    expect(instance).toBeInstanceOf(ClipLoss);
    expect(Math.abs(instance.logitScale() / (1 / 0.07) - 1)).toBeLessThan(1e-6);
    await dispose();
    expect((instance as ClipLoss).logScale.isDisposed).toBe(true);
  });

  it('builds SigLipLoss from loss.type "siglip" with the configured values', async () => {
    const { instance, dispose } = await resolveLoss({ type: 'siglip', logitScale: 1, logitBias: -5, chunkSize: 16, maxLogitScale: 3 });
    expect(instance).toBeInstanceOf(SigLipLoss);
    const siglip = instance as SigLipLoss;
    expect([Math.abs(siglip.logitScale() - Math.E) < 1e-5, siglip.logitBias(), siglip.chunkSize, siglip.maxLogScale]).toEqual([true, -5, 16, 3]);
    await dispose();
  });

  it('offers one plug-in per loss type, all for the LOSS slot', () => {
    expect(lossPlugins.map((p) => [p.slot, p.type])).toEqual([
      [LOSS, 'clip'],
      [LOSS, 'siglip'],
    ]);
  });
});
