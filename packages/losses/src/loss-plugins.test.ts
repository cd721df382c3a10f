import { initTfjs } from '@clipkit/backend-tfjs';
import { assembleClip, ConfigError, type ConfigProblem, LOSS, parseClipConfig } from '@clipkit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipLoss } from './clip-loss.js';
import { plugins } from './loss-plugins.js';
import { SigLipLoss } from './siglip-loss.js';

// No tower package is given: the model's sections stay loose, so only the loss section is checked here.
const MODEL = { embedDim: 8, vision: { type: 'vit' }, text: { type: 'transformer' } };

const lossSection = (loss?: unknown) => parseClipConfig({ model: MODEL, ...(loss === undefined ? {} : { loss }) }, plugins).loss;

function problemsOf(loss: unknown): ConfigProblem[] {
  try {
    lossSection(loss);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('plugins', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('offer one plug-in per loss type, all for the LOSS slot', () => {
    expect(plugins.map((p) => [p.slot, p.type])).toEqual([
      [LOSS, 'clip'],
      [LOSS, 'siglip'],
    ]);
  });

  it('declare the loss sections: "clip" without settings (the default), "siglip" with chunkSize', () => {
    expect(lossSection()).toEqual({ type: 'clip' });
    expect(lossSection({ type: 'siglip' })).toEqual({ type: 'siglip', chunkSize: null });
    expect(lossSection({ type: 'siglip', chunkSize: 64 })).toEqual({ type: 'siglip', chunkSize: 64 });
  });

  it('reject what the sections do not allow, naming the field', () => {
    expect(problemsOf({ type: 'clip', logitScale: 2 })).toEqual([{ path: 'loss.logitScale', message: 'unknown key; allowed keys are type' }]);
    expect(problemsOf({ type: 'siglip', chunkSize: 0 })).toEqual([{ path: 'loss.chunkSize', message: 'must be >= 1 or null', value: 0 }]);
    expect(problemsOf({ type: 'siglip', logitBias: -10 })).toEqual([{ path: 'loss.logitBias', message: 'unknown key; allowed keys are type, chunkSize' }]);
    expect(problemsOf({ type: 'infonce' })).toEqual([{ path: 'loss.type', message: 'must be one of "clip", "siglip" (the types of the plug-ins given)', value: 'infonce' }]);
  });

  it('fill the LOSS slot with the loss the config names', async () => {
    for (const [loss, expected] of [
      [undefined, ClipLoss],
      [{ type: 'siglip', chunkSize: 16 }, SigLipLoss],
    ] as const) {
      const assembly = assembleClip(parseClipConfig({ model: MODEL, ...(loss ? { loss } : {}) }, plugins), plugins, { log: () => undefined });
      const instance = assembly.resolve(LOSS);
      expect(instance).toBeInstanceOf(expected);
      if (instance instanceof SigLipLoss) expect(instance.chunkSize).toBe(16);
      await assembly.dispose();
    }
  });
});
