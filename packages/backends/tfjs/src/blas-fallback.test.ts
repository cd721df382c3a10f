import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBlasAddon } from './blas-addon.js';
import { initTfjs } from './init-tfjs.js';

// A machine where the addon cannot load, simulated by pointing CLIPKIT_BLAS_ADDON at a file that is
// not there (the loader treats a Node without the N-API level or a stale build the same way).
describe('initTfjs without the blas addon', () => {
  afterAll(() => {
    delete process.env.CLIPKIT_BLAS_ADDON;
  });

  it('warns once, falls back to wasm, and says why in the selection line', async () => {
    process.env.CLIPKIT_BLAS_ADDON = join(tmpdir(), 'clipkit-no-such-addon', 'clipkit_blas.node');
    const lines: string[] = [];
    const auto = await initTfjs({ device: 'auto', log: (line) => lines.push(line) });
    expect(auto.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const blas = await initTfjs({ device: 'blas', log: (line) => lines.push(line) });
    expect(blas.backend).toBe('wasm');
    expect(lines).toEqual([
      expect.stringMatching(
        /^clipkit: warning: the blas backend is unavailable \(Cannot find module .*clipkit-no-such-addon.*\); falling back to wasm\. To build it: install g\+\+, make and python3 \(Debian, Ubuntu: apt-get install g\+\+ make python3\)/,
      ),
      expect.stringMatching(/^clipkit: tfjs backend wasm \((no )?SIMD, 1 thread; tfjs-node not installed, blas unavailable\)$/),
      expect.stringMatching(/^clipkit: tfjs backend wasm \((no )?SIMD, 1 thread; blas unavailable\)$/),
    ]);
  });

  it('refuses a build of another interface version (a stale dist/native)', () => {
    const stale = join(tmpdir(), `clipkit-stale-addon-${process.pid}.cjs`);
    writeFileSync(stale, 'module.exports = { info: () => ({ apiVersion: 0 }) };\n');
    try {
      const load = loadBlasAddon(stale);
      expect('error' in load && load.error).toMatch(/interface version is 0, this package needs \d+/);
    } finally {
      rmSync(stale);
    }
  });

  it('picks blas again once the addon is found', async () => {
    delete process.env.CLIPKIT_BLAS_ADDON;
    expect((await initTfjs({ device: 'auto', log: () => undefined })).backend).toBe('blas');
  });
});
