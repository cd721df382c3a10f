import { assembleClip, BACKEND, ConfigError, parseClipConfig } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { plugins, tfjsBackendPlugin } from './tfjs-backend-plugin.js';

// The model's towers stay unchecked without their plug-ins: only the backend section is under test here.
const MODEL = { embedDim: 8, vision: { type: 'vit' }, text: { type: 'transformer' } };

describe('tfjsBackendPlugin', () => {
  it('is the default backend, with every field at its default', () => {
    expect([tfjsBackendPlugin.slot, tfjsBackendPlugin.type]).toEqual([BACKEND, 'tfjs']);
    expect(parseClipConfig({ model: MODEL }, plugins).backend).toEqual({ type: 'tfjs', device: 'auto', threads: null });
  });

  it('rejects an unknown device and a thread count out of range, naming both', () => {
    let error: unknown;
    try {
      parseClipConfig({ model: MODEL, backend: { type: 'tfjs', device: 'gpu', threads: 0 } }, plugins);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => [p.path, p.value])).toEqual([
      ['backend.device', 'gpu'],
      ['backend.threads', 0],
    ]);
  });

  it('initialises the device the section names and says what it chose', async () => {
    const log: string[] = [];
    const config = parseClipConfig({ model: MODEL, backend: { type: 'tfjs', device: 'cpu' } }, plugins);
    const assembly = assembleClip(config, plugins, { log: (m) => log.push(m) });
    expect(await assembly.resolve(BACKEND).init()).toMatch(/^tfjs backend cpu\b/);
    expect(log.join('\n')).toContain('tfjs backend cpu');
    await assembly.dispose();
  });
});
