import { cpSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preprocessorConfigJson, readSafetensors, toInt32 } from '@clipkit/core';
import { vitPlugin } from '@clipkit/encoders-vit';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPlugins } from '../plugins/default-plugins.js';
import { cachedOnnxExport } from './onnx-export-cache.js';
import { openModel } from './open-model.js';

const MODEL = `${process.env.CLIPKIT_SHARED}/fixtures/models/vit-b-tiny-quickgelu`;

let cacheRoot: string;
let lines: string[];
const log = (line: string) => lines.push(line);

beforeEach(() => {
  cacheRoot = mkdtempSync(join(tmpdir(), 'clipkit-onnx-cache-'));
  lines = [];
});

describe('cachedOnnxExport', () => {
  it('exports a model once into a folder named by its hash, and reuses it after without exporting', async () => {
    const plugins = await defaultPlugins();
    const first = await cachedOnnxExport(MODEL, plugins, { log, cacheRoot });
    expect(first).toMatch(new RegExp(`^${cacheRoot}/[0-9a-f]{32}$`));
    expect(lines[0]).toMatch(/onnxruntime, exporting the model to ONNX once, into .*\(--backend tfjs runs tfjs\)/);
    const written = statSync(join(first!, 'vision.onnx')).mtimeMs;
    lines = [];
    expect(await cachedOnnxExport(MODEL, plugins, { log, cacheRoot })).toBe(first);
    expect(lines).toEqual([`clipkit: onnxruntime, on the ONNX export cached in ${first} (--backend tfjs runs tfjs)`]);
    expect(statSync(join(first!, 'vision.onnx')).mtimeMs).toBe(written);
    // Only the finished folder is left: the staging folder was renamed into place.
    expect(readdirSync(cacheRoot)).toEqual([first!.slice(cacheRoot.length + 1)]);
    // The export is a model folder of its own: loaded as it is, and the user is told so.
    lines = [];
    expect(await cachedOnnxExport(first!, plugins, { log, cacheRoot })).toBe(first);
    expect(lines).toEqual([`clipkit: onnxruntime, on the model's own ONNX export in ${first}`]);
  });

  it('makes a new export when a file of the model changes', async () => {
    const plugins = await defaultPlugins();
    const copy = mkdtempSync(join(tmpdir(), 'clipkit-model-'));
    cpSync(MODEL, copy, { recursive: true });
    const before = await cachedOnnxExport(copy, plugins, { log, cacheRoot });
    // Another preprocessing travels with the export: a new key.
    writeFileSync(
      join(copy, 'preprocessor_config.json'),
      JSON.stringify(preprocessorConfigJson({ resizeMode: 'shortest', size: 32, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, 32)),
    );
    expect(await cachedOnnxExport(copy, plugins, { log, cacheRoot })).not.toBe(before);
  });

  it('returns nothing, with a note, for a model whose tower has no ONNX export', async () => {
    const plugins = (await defaultPlugins()).map((p) => (p === vitPlugin ? { ...vitPlugin, onnx: undefined } : p));
    expect(await cachedOnnxExport(MODEL, plugins, { log, cacheRoot })).toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(/^clipkit: running on tfjs, not onnxruntime: model\.vision\.type "vit": its plug-in has no ONNX export/)]);
    expect(readdirSync(cacheRoot)).toEqual([]);
  });
});

describe('openModel', () => {
  const saved = process.env.CLIPKIT_CACHE;
  beforeEach(() => {
    process.env.CLIPKIT_CACHE = cacheRoot;
  });
  afterEach(() => {
    process.env.CLIPKIT_CACHE = saved;
  });

  it('runs on onnxruntime with fastRuntime, reproducing the reference embeddings; --backend tfjs forces tfjs', async () => {
    const inputs = await readSafetensors(`${MODEL}/inputs.safetensors`);
    const expected = (await readSafetensors(`${MODEL}/outputs.safetensors`)).get('text_embeds')!.data as Float32Array;
    const ids = tf.tensor2d(toInt32(inputs.get('input_ids')!, 'input_ids'), [4, 77], 'int32');
    for (const [backend, runtime] of [
      [undefined, 'onnxruntime'],
      ['tfjs', 'tfjs'],
    ] as const) {
      const loaded = await openModel(MODEL, { fastRuntime: true, backend, log });
      expect(loaded.config.backend.type).toBe(runtime);
      const embeds = await loaded.model.encodeText(ids);
      const got = embeds.dataSync();
      // fixtures/README.md: 1e-4 x max(1, max|ref|)
      const scale = Math.max(1, ...expected.map(Math.abs));
      expect(Math.max(...got.map((v, i) => Math.abs(v - expected[i]))), backend).toBeLessThanOrEqual(1e-4 * scale);
      embeds.dispose();
      await loaded.dispose();
    }
    ids.dispose();
    expect(lines.filter((l) => l.includes('onnxruntime,'))).toHaveLength(1);
  });
});
