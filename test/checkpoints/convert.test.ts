import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkpointModelSource } from '@clipkit/checkpoints';
import { type HostTensor, loadClip, readSafetensors, toFloat32 } from '@clipkit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLUGINS, quiet } from '../clip/fixtures.js';
import { CHECKPOINTS, expectReference, modelOutputs, runCliAsync } from './fixtures.js';

// `clipkit convert` writes each layout in each precision; every folder it writes is read back by core alone
// (no model source needed) and compared with the model it came from.
const LAYOUT_FILES = { clipkit: 'clipkit.json', hf: 'config.json', open_clip: 'open_clip_config.json' } as const;
type Layout = keyof typeof LAYOUT_FILES;

/** A path for --out that does not exist yet, in a fresh parent folder (to check that nothing is left beside it). */
const freshOut = () => join(mkdtempSync(join(tmpdir(), 'clipkit-convert-')), 'out');

async function convert(model: string, out: string, ...args: string[]) {
  return runCliAsync(['convert', '--model', model, '--out', out, ...args]);
}

async function outputsOf(ref: string, inputsFolder: string) {
  const loaded = await loadClip(ref, PLUGINS, { ...quiet, sources: [checkpointModelSource] });
  try {
    return await modelOutputs(loaded.model, `${CHECKPOINTS}/${inputsFolder}/inputs.safetensors`);
  } finally {
    await loaded.dispose();
  }
}

function maxDifference(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): number {
  let worst = 0;
  for (const [name, values] of a) for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i] - b.get(name)![i]));
  return worst;
}

function expectBitIdentical(actual: ReadonlyMap<string, HostTensor>, expected: ReadonlyMap<string, HostTensor>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, want] of expected) {
    const got = actual.get(name)!;
    expect([got.dtype, got.shape], name).toEqual([want.dtype, want.shape]);
    expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(Buffer.from(want.data.buffer, want.data.byteOffset, want.data.byteLength)), name).toBe(
      true,
    );
  }
}

describe('clipkit convert of a float32 ViT (open-clip-hub: open_clip_pytorch_model.bin)', () => {
  const source = `${CHECKPOINTS}/open-clip-hub`;
  let sourceOutputs: Map<string, Float32Array>;
  beforeAll(async () => {
    sourceOutputs = await outputsOf(source, 'open-clip-hub');
  });

  it.each(['clipkit', 'hf', 'open_clip'] as const)('--layout %s --dtype float32 reads back with identical outputs', async (layout: Layout) => {
    const out = freshOut();
    const run = await convert(source, out, '--layout', layout);
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(dirname(out))).toEqual(['out']); // the staging folder was renamed into place
    expect(existsSync(join(out, LAYOUT_FILES[layout]))).toBe(true);
    const weights = await readSafetensors(join(out, 'model.safetensors'));
    expect(new Set([...weights.values()].map((t) => t.dtype))).toEqual(new Set(['F32']));
    const converted = await outputsOf(out, 'open-clip-hub');
    console.log(`convert --layout ${layout} --dtype float32: max|converted - source| = ${maxDifference(converted, sourceOutputs)}`);
    expect(maxDifference(converted, sourceOutputs)).toBe(0);
  });

  // PyTorch's `.half()` of these weights is fixtures/checkpoints/f16: converting to float16 must give its bits,
  // and the model read back its reference outputs (computed from exactly those weights, upcast).
  it.each(['clipkit', 'hf', 'open_clip'] as const)('--layout %s --dtype float16 stores the weights PyTorch rounds them to', async (layout: Layout) => {
    const out = freshOut();
    const run = await convert(source, out, '--layout', layout, '--dtype', 'float16');
    expect(run.status, run.stderr).toBe(0);
    const weights = await readSafetensors(join(out, 'model.safetensors'));
    expect(new Set([...weights.values()].map((t) => t.dtype))).toEqual(new Set(['F16']));
    if (layout !== 'hf') expectBitIdentical(weights, await readSafetensors(`${CHECKPOINTS}/f16/model.safetensors`));
    const converted = await outputsOf(out, 'f16');
    expectReference(`convert --layout ${layout} --dtype float16 vs f16/outputs`, converted, await readSafetensors(`${CHECKPOINTS}/f16/outputs.safetensors`));
  });
});

describe('clipkit convert of an OpenAI ResNet archive (openai-jit-rn: model.pt, float16 and float32 mixed)', () => {
  const source = `${CHECKPOINTS}/openai-jit-rn/model.pt`;

  it.each(['clipkit', 'open_clip'] as const)('--layout %s --dtype float32 reads back with identical outputs', async (layout: Layout) => {
    const out = freshOut();
    const run = await convert(source, out, '--layout', layout);
    expect(run.status, run.stderr).toBe(0);
    const converted = await outputsOf(out, 'openai-jit-rn');
    expect(maxDifference(converted, await outputsOf(source, 'openai-jit-rn'))).toBe(0);
    expectReference(`convert rn --layout ${layout}`, converted, await readSafetensors(`${CHECKPOINTS}/openai-jit-rn/outputs.safetensors`));
  });

  it('--dtype float16 rounds every weight to its nearest half, within half a unit in the last place', async () => {
    const out = freshOut();
    expect((await convert(source, out, '--dtype', 'float16')).status).toBe(0);
    const stored = await readSafetensors(join(out, 'model.safetensors'));
    const float32 = freshOut();
    expect((await convert(source, float32)).status).toBe(0);
    const exact = await readSafetensors(join(float32, 'model.safetensors'));
    let worst = 0;
    for (const [name, tensor] of exact) {
      if (tensor.dtype !== 'F32') continue; // BatchNorm counters stay int64
      expect(stored.get(name)!.dtype, name).toBe('F16');
      const [a, b] = [toFloat32(stored.get(name)!), tensor.data as Float32Array];
      for (let i = 0; i < a.length; i++) {
        // A half has 11 significant bits (10 stored): half an ulp is 2^-11 of the value, 2^-25 below the normal range.
        const halfUlp = 2 ** (Math.max(Math.floor(Math.log2(Math.abs(b[i]) || 2 ** -14)), -14) - 11);
        worst = Math.max(worst, Math.abs(a[i] - b[i]) / halfUlp);
      }
    }
    console.log(`convert rn --dtype float16: worst |half - float32| = ${worst.toFixed(3)} half-ulps`);
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('refuses the hf layout, which transformers has no ResNet CLIP for, and writes nothing', async () => {
    const out = freshOut();
    const run = await convert(source, out, '--layout', 'hf');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/\nclipkit: model: transformers has no model with a resnet image tower .*; save it in the "open_clip" or "clipkit" layout\n$/);
    expect(readdirSync(dirname(out))).toEqual([]);
  });
});

describe('clipkit convert --out', () => {
  const source = `${CHECKPOINTS}/open-clip-hub-safetensors`;

  it('refuses a non-empty folder unless --force, which replaces its contents', async () => {
    const out = freshOut();
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const refused = await convert(source, out);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`clipkit: --out ${out} is not empty: give a new or empty folder, or pass --force to replace its contents\n`);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    const forced = await convert(source, out, '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['clipkit.json', 'model.safetensors', 'preprocessor_config.json']);
    expect(readdirSync(dirname(out))).toEqual(['out']);
  });

  it('never writes over the model it reads, even with --force', async () => {
    const copy = freshOut();
    expect((await convert(source, copy)).status).toBe(0);
    for (const out of [copy, dirname(copy)]) {
      const run = await convert(copy, out, '--force');
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`clipkit: --out ${out} holds the model being read (${copy}); write to another folder\n`);
    }
    expect(readdirSync(copy).sort()).toEqual(['clipkit.json', 'model.safetensors', 'preprocessor_config.json']);
  });
});
