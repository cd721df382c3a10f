import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WeightsError } from '../errors.js';
import { SafetensorsFile, readSafetensors } from '../safetensors/safetensors-file.js';
import { writeSafetensors } from '../safetensors/write-safetensors.js';
import { loadStateDict, type WeightTarget } from './load-state-dict.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
const OPENAI_FILE = `${MODELS}/vit-b-tiny-quickgelu/model.safetensors`;
const HF_FILE = `${MODELS}/hf/vit-b-tiny-quickgelu/model.safetensors`;

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

  it('reads a Hugging Face file into OpenAI names: q/k/v joined, projections transposed', async () => {
    const variables = await zeroVariables(OPENAI_FILE);
    const reference = await readSafetensors(OPENAI_FILE);
    await loadStateDict(variables, await openFile(HF_FILE), { names: 'huggingface' });
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

  it('names the HF tensors it missed, and which OpenAI tensor needed them', async () => {
    const variables = await zeroVariables(OPENAI_FILE);
    variables.set('transformer.resblocks.2.attn.in_proj_weight', tf.variable(tf.zeros([192, 64])));
    const error = await loadStateDict(variables, await openFile(HF_FILE), { names: 'huggingface' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /missing: "text_model\.encoder\.layers\.2\.self_attn\.q_proj\.weight" \(for "transformer\.resblocks\.2\.attn\.in_proj_weight"\), expected shape \[64, 64\]/,
    );
    disposeAll(variables);
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
