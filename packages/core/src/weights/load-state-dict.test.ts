import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WeightsError } from '../errors.js';
import { readSafetensors, SafetensorsFile } from '../safetensors/safetensors-file.js';
import { writeSafetensors } from '../safetensors/write-safetensors.js';
import type { HfStorageOf } from './hf-storage.js';
import { loadStateDict, type WeightTarget } from './load-state-dict.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
const OPENAI_FILE = `${MODELS}/vit-b-tiny-quickgelu/model.safetensors`;

const open: SafetensorsFile[] = [];
async function openFile(path: string): Promise<SafetensorsFile> {
  const file = await SafetensorsFile.open(path);
  open.push(file);
  return file;
}

/** Zero-initialised variables with the names and shapes of an OpenAI-named file (minus `skip`). */
async function zeroVariables(path: string, skip: (name: string) => boolean = () => false): Promise<Map<string, tf.Variable>> {
  const file = await openFile(path);
  const out = new Map<string, tf.Variable>();
  for (const [name, entry] of file.entries) {
    if (!skip(name)) out.set(name, tf.variable(tf.zeros([...entry.shape])));
  }
  return out;
}

/** Where the targets of the storage tests live in a transformers-style file. */
const STORAGE: HfStorageOf = (name) =>
  name === 'attn.in_proj_weight'
    ? { kind: 'split-qkv', names: ['attn.q.weight', 'attn.k.weight', 'attn.v.weight'] }
    : name === 'proj'
      ? { kind: 'transpose', name: 'projection.weight' }
      : name === 'ln.bias'
        ? { kind: 'rename', name: 'layer_norm.bias' }
        : undefined;

/** A hand-written file in STORAGE's naming: q, k, v [1, 2] each, a Linear weight [3, 2] (out, in), a renamed bias. */
async function hfStyleFile(): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'clipkit-weights-')), 'hf.safetensors');
  await writeSafetensors(path, {
    'attn.q.weight': { dtype: 'F32', shape: [1, 2], data: Float32Array.of(1, 2) },
    'attn.k.weight': { dtype: 'F32', shape: [1, 2], data: Float32Array.of(3, 4) },
    'attn.v.weight': { dtype: 'F32', shape: [1, 2], data: Float32Array.of(5, 6) },
    'projection.weight': { dtype: 'F32', shape: [3, 2], data: Float32Array.of(10, 11, 12, 13, 14, 15) },
    'layer_norm.bias': { dtype: 'F32', shape: [2], data: Float32Array.of(7, 8) },
  });
  return path;
}

function disposeAll(variables: Map<string, tf.Variable>): void {
  for (const v of variables.values()) v.dispose();
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(async () => {
  for (const file of open.splice(0)) await file.close();
});

describe('loadStateDict', () => {
  it('assigns every variable from an OpenAI-named file, bit for bit, without leaking tensors', async () => {
    const variables = await zeroVariables(OPENAI_FILE);
    const reference = await readSafetensors(OPENAI_FILE);
    const before = tf.memory().numTensors;
    await loadStateDict(variables, await openFile(OPENAI_FILE));
    expect(tf.memory().numTensors).toBe(before);
    for (const [name, variable] of variables) expect(Array.from(variable.dataSync()), name).toEqual(Array.from(reference.get(name)!.data as Float32Array));
    disposeAll(variables);
  });

  it('lists every missing, misshaped and unexpected tensor in one error and assigns nothing', async () => {
    const variables = await zeroVariables(OPENAI_FILE, (name) => name === 'ln_final.bias' || name === 'visual.proj');
    variables.set('visual.proj', tf.variable(tf.zeros([64, 128]))); // transposed: misshaped
    variables.set('visual.extra_token', tf.variable(tf.zeros([128]))); // not in the file: missing
    const error = await loadStateDict(variables, await openFile(OPENAI_FILE)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    const message = (error as Error).message;
    expect(message).toContain(OPENAI_FILE);
    expect(message).toMatch(/3 problems/);
    expect(message).toMatch(/missing: "visual\.extra_token", expected shape \[128\]/);
    expect(message).toMatch(/misshaped: "visual\.proj": the model expects \[64, 128\], the file has \[128, 64\]/);
    expect(message).toMatch(/unexpected: "ln_final\.bias" \[64\]/);
    expect(
      variables
        .get('visual.conv1.weight')!
        .dataSync()
        .every((v) => v === 0),
    ).toBe(true);
    disposeAll(variables);
  });

  it('reads a file in another naming through a storage function: renamed, transposed, q/k/v joined', async () => {
    const path = await hfStyleFile();
    const got: Record<string, number[]> = {};
    const target = (name: string, shape: number[], optional = false): WeightTarget => ({ shape, optional, set: (v) => (got[name] = Array.from(v)) });
    const targets = new Map([
      ['attn.in_proj_weight', target('attn.in_proj_weight', [3, 2])],
      ['proj', target('proj', [2, 3])],
      ['ln.bias', target('ln.bias', [2])],
      ['logit_bias', target('logit_bias', [], true)], // optional and with no place in this layout: skipped
    ]);
    await loadStateDict(targets, await openFile(path), { storage: STORAGE });
    expect(got).toEqual({
      'attn.in_proj_weight': [1, 2, 3, 4, 5, 6], // q, k, v rows stacked
      proj: [10, 12, 14, 11, 13, 15], // the file's [3, 2] [[10, 11], [12, 13], [14, 15]], transposed
      'ln.bias': [7, 8],
    });
  });

  it('names the stored tensors it missed and the target that needed them, and targets the layout cannot hold', async () => {
    const path = await hfStyleFile();
    const targets = new Map<string, tf.Variable | WeightTarget>([
      ['attn.in_proj_weight', { shape: [6, 2], set: () => undefined }], // twice the file's rows
      ['proj', { shape: [2, 3], set: () => undefined }],
      ['ln.bias', { shape: [2], set: () => undefined }],
      ['ln.weight', { shape: [2], set: () => undefined }], // no storage: not optional
    ]);
    const error = await loadStateDict(targets, await openFile(path), { storage: STORAGE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    const message = (error as Error).message;
    expect(message).toMatch(/4 problems/);
    for (const part of ['q', 'k', 'v']) expect(message).toContain(`misshaped: "attn.${part}.weight" (for "attn.in_proj_weight"): the model expects [2, 2], the file has [1, 2]`);
    expect(message).toContain('not storable: "ln.weight" has no name in this Hugging Face layout');
  });

  it('skips BatchNorm num_batches_tracked counters', async () => {
    const path = `${MODELS}/rn-tiny/model.safetensors`;
    const variables = await zeroVariables(path, (name) => name.endsWith('num_batches_tracked'));
    await loadStateDict(variables, await openFile(path));
    const reference = await readSafetensors(path);
    expect(Array.from(variables.get('visual.bn1.running_var')!.dataSync())).toEqual(Array.from(reference.get('visual.bn1.running_var')!.data as Float32Array));
    disposeAll(variables);
  });

  it('widens F16/BF16 and narrows F64 to float32, accepts [1] for a [] scalar, and honours optional and ignore', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'clipkit-weights-')), 'mixed.safetensors');
    // Hand-encoded: F16 0x3e00 = 1.5, 0xc000 = -2; BF16 0x3fc0 = 1.5 (top half of float32 0x3fc00000).
    await writeSafetensors(path, {
      half: { dtype: 'F16', shape: [2], data: Uint16Array.of(0x3e00, 0xc000) },
      brain: { dtype: 'BF16', shape: [1], data: Uint16Array.of(0x3fc0) },
      double: { dtype: 'F64', shape: [2], data: Float64Array.of(0.25, 1e-3) },
      scalar: { dtype: 'F32', shape: [1], data: Float32Array.of(4.5) },
      ignored: { dtype: 'F32', shape: [3], data: Float32Array.of(1, 2, 3) },
    });
    const got: Record<string, number[]> = {};
    const target = (name: string, shape: number[], optional = false): WeightTarget => ({ shape, optional, set: (v) => (got[name] = Array.from(v)) });
    const targets = new Map([
      ['half', target('half', [2])],
      ['brain', target('brain', [1])],
      ['double', target('double', [2])],
      ['scalar', target('scalar', [])],
      ['logit_bias', target('logit_bias', [], true)],
    ]);
    await loadStateDict(targets, await openFile(path), { ignore: (name) => name === 'ignored' });
    expect(got).toEqual({ half: [1.5, -2], brain: [1.5], double: [0.25, Math.fround(1e-3)], scalar: [4.5] });
  });
});
