import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClipConfig } from '../config/clip-config.js';
import { parseClipConfig } from '../config/parse-clip-config.js';
import { assembleClip, type ClipAssembly } from '../di/assemble-clip.js';
import { TRAINABLE_IMAGE_ENCODER, TRAINABLE_TEXT_ENCODER } from '../di/slots.js';
import { ClipkitError, WeightsError } from '../errors.js';
import { ClipModel } from '../model/clip-model.js';
import { loadClip } from '../pipelines/load-clip.js';
import type { HostTensor } from '../safetensors/dtypes.js';
import { readSafetensors, SafetensorsFile } from '../safetensors/safetensors-file.js';
import { writeSafetensors } from '../safetensors/write-safetensors.js';
import { FakeOnnxImageEncoder, fakePlugins, TINY_MODEL } from '../testing/fake-plugins.test-support.js';
import { clipStateTensors, type TrainableClipModel } from './clip-state-dict.js';
import { type ModelLayout, readModelDirectory } from './model-directory.js';
import { saveClipModel } from './save-clip-model.js';

const TOKENIZER = `${process.env.CLIPKIT_SHARED}/fixtures/tokenizer`;
const temp = () => mkdtempSync(join(tmpdir(), 'clipkit-save-'));
const quiet = { log: () => undefined };

const VIT = { ...TINY_MODEL };
const RESNET = { ...TINY_MODEL, vision: { type: 'resnet', imageSize: 32, layers: [1, 2, 1, 1], width: 4 } };

const open: ClipAssembly[] = [];

/** exp(t) of a t held in float32, as a trained model's logit scale is. */
const scaleOf = (t: number) => Math.exp(Math.fround(t));

/** A model with the fake towers' seeded random weights, as training would leave one. */
function trainedModel(json: Record<string, unknown>, logitScale = scaleOf(Math.log(20)), logitBias: number | null = null): { model: TrainableClipModel; config: ClipConfig } {
  const config = parseClipConfig({ model: json, train: { seed: 11 } }, fakePlugins);
  const assembly = assembleClip(config, fakePlugins, quiet);
  open.push(assembly);
  return { model: new ClipModel(assembly.resolve(TRAINABLE_IMAGE_ENCODER), assembly.resolve(TRAINABLE_TEXT_ENCODER), { logitScale, logitBias }), config };
}

function expectSameState(a: Map<string, HostTensor>, b: Map<string, HostTensor>): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [name, t] of a) {
    expect(b.get(name)!.shape, name).toEqual(t.shape);
    expect(Buffer.from(b.get(name)!.data.buffer).equals(Buffer.from(t.data.buffer)), name).toBe(true);
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(async () => {
  for (const assembly of open.splice(0)) await assembly.dispose();
});

describe('saveClipModel and loadClip', () => {
  it.each<[string, ModelLayout, Record<string, unknown>]>([
    ['vit', 'clipkit', VIT],
    ['vit', 'open_clip', VIT],
    ['vit', 'huggingface', VIT],
    ['resnet', 'clipkit', RESNET],
    ['resnet', 'open_clip', RESNET],
  ])('saves a %s model in the %s layout and loads back the same weights, config and logit scale', async (_, layout, json) => {
    const { model, config } = trainedModel(json);
    const dir = temp();
    await saveClipModel(dir, layout, model, config, fakePlugins);
    const reloaded = await loadClip(dir, fakePlugins, quiet);
    expect(reloaded.layout).toBe(layout);
    expect(reloaded.config.model).toEqual(config.model);
    expect(reloaded.model.logitScale).toBe(model.logitScale);
    expect(reloaded.model.logitBias).toBeNull();
    expectSameState(clipStateTensors(model), clipStateTensors(reloaded.trainable()));
    await reloaded.dispose();
  });

  it("stores the towers' tensors where their formats say in the Hugging Face layout", async () => {
    const { model, config } = trainedModel(VIT);
    const dir = temp();
    await saveClipModel(dir, 'huggingface', model, config, fakePlugins);
    const stored = await readSafetensors(join(dir, 'model.safetensors'));
    const own = clipStateTensors(model);
    const values = (t: HostTensor | undefined) => Array.from(t!.data as Float32Array);
    // proj [width 8, embed 4] is stored as a Linear weight [4, 8]: element (i, j) at (j, i).
    const proj = values(own.get('visual.proj'));
    expect(stored.get('visual_projection.weight')!.shape).toEqual([4, 8]);
    expect(values(stored.get('visual_projection.weight'))).toEqual(Array.from({ length: 32 }, (_, k) => proj[(k % 8) * 4 + Math.floor(k / 8)]));
    // in_proj [3 x 8, 8]: q, k, v are its row blocks.
    const inProj = values(own.get('visual.attn.in_proj_weight'));
    for (const [i, part] of ['q', 'k', 'v'].entries()) expect(values(stored.get(`vision_model.attn.${part}_proj.weight`))).toEqual(inProj.slice(i * 64, (i + 1) * 64));
    expect(values(stored.get('text_model.token_embedding.weight'))).toEqual(values(own.get('token_embedding.weight')));
    expect(values(stored.get('logit_scale'))).toEqual([Math.fround(Math.log(20))]);
    expect(stored.size).toBe(own.size + 4); // the two packed q/k/v tensors became six
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({ architectures: ['CLIPModel'], model_type: 'clip', projection_dim: 4 });
  });

  it('writes what PyTorch loaders read: metadata format pt, [] logit_scale, open_clip model_cfg and preprocess_cfg', async () => {
    const trained = trainedModel(RESNET);
    const { model } = trained;
    const preprocess = { resizeMode: 'shortest' as const, size: 28, mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.25, 0.25, 0.25] as [number, number, number] };
    const config = { ...trained.config, preprocess };
    const dir = temp();
    await saveClipModel(dir, 'open_clip', model, config, fakePlugins);
    const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.entry('logit_scale').shape).toEqual([]);
    await file.close();
    const written = JSON.parse(readFileSync(join(dir, 'open_clip_config.json'), 'utf8'));
    expect(written.model_cfg.vision_cfg.layers).toEqual([1, 2, 1, 1]);
    expect(written.preprocess_cfg).toEqual({ mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], interpolation: 'bicubic', resize_mode: 'shortest' });
    // open_clip resizes to the crop size; the resize to 28 (then padding) is kept where clipkit reads it back.
    expect(written.clipkit).toEqual({ preprocess });
    expect((await readModelDirectory(dir, fakePlugins)).config.preprocess).toEqual(preprocess);
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'open_clip_config.json']);
  });

  it('refuses, before writing anything, a layout that cannot hold the model; the logit bias survives the others', async () => {
    const dir = temp();
    const resnet = trainedModel(RESNET);
    await expect(saveClipModel(dir, 'huggingface', resnet.model, resnet.config, fakePlugins)).rejects.toThrow(/no model with a resnet image tower.*"open_clip" or "clipkit"/);
    const siglip = trainedModel({ ...VIT, logitScale: Math.log(10), logitBias: -10 }, scaleOf(Math.log(10)), -10);
    await expect(saveClipModel(dir, 'huggingface', siglip.model, siglip.config, fakePlugins)).rejects.toThrow(/"logit_bias".*no logit_bias/);
    expect(readdirSync(dir)).toEqual([]);
    for (const layout of ['open_clip', 'clipkit'] as const) {
      const out = join(dir, layout);
      await saveClipModel(out, layout, siglip.model, siglip.config, fakePlugins);
      const reloaded = await loadClip(out, fakePlugins, quiet);
      expect([reloaded.model.logitScale, reloaded.model.logitBias, reloaded.config.model.logitBias]).toEqual([siglip.model.logitScale, -10, -10]);
      await reloaded.dispose();
    }
  });

  it('copies the tokenizer files the config names, and points clipkit.json at them', async () => {
    const { model, config } = trainedModel(VIT);
    const dir = temp();
    await saveClipModel(dir, 'clipkit', model, { ...config, tokenizer: { type: 'clip-bpe', path: TOKENIZER } }, fakePlugins);
    expect(existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'clipkit.json'), 'utf8')).tokenizer.path).toBe('.');
    const reloaded = await loadClip(dir, fakePlugins, quiet);
    expect(reloaded.config.tokenizer.path).toBe(dir);
    await reloaded.dispose();
  });

  it('fails naming the weights file when a directory has a config but no model.safetensors', async () => {
    const { model, config } = trainedModel(VIT);
    const dir = temp();
    await saveClipModel(dir, 'open_clip', model, config, fakePlugins);
    rmSync(join(dir, 'model.safetensors'));
    const error = await loadClip(dir, fakePlugins, quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    expect((error as Error).message).toContain(join(dir, 'model.safetensors'));
  });

  it("on another runtime, takes the logit parameters from the file or else from the model's config, and leaves the towers' tensors alone", async () => {
    const onnxruntime = { ...quiet, backend: { type: 'onnxruntime' } };
    const dir = temp();
    writeFileSync(join(dir, 'clipkit.json'), JSON.stringify({ model: { ...VIT, logitScale: Math.log(10), logitBias: -10 } }));
    const logged: string[] = [];
    const fromConfig = await loadClip(dir, fakePlugins, { ...onnxruntime, log: (m) => logged.push(m) });
    expect(fromConfig.model.imageEncoder).toBeInstanceOf(FakeOnnxImageEncoder);
    expect(Math.abs(fromConfig.model.logitScale - 10)).toBeLessThan(1e-12);
    expect(fromConfig.model.logitBias).toBe(-10);
    expect(logged).toEqual([expect.stringContaining('has no model.safetensors')]);
    expect(() => fromConfig.trainable()).toThrow(ClipkitError);
    await fromConfig.dispose();

    // An ONNX export keeps the logit parameters in model.safetensors, the towers in their .onnx files.
    await writeSafetensors(join(dir, 'model.safetensors'), {
      logit_scale: { dtype: 'F32', shape: [], data: Float32Array.of(Math.log(30)) },
      logit_bias: { dtype: 'F32', shape: [], data: Float32Array.of(-5) },
      'visual.proj': { dtype: 'F32', shape: [1], data: Float32Array.of(0) },
    });
    const fromFile = await loadClip(dir, fakePlugins, onnxruntime);
    expect([Math.abs(fromFile.model.logitScale - 30) < 1e-5, fromFile.model.logitBias]).toEqual([true, -5]);
    await fromFile.dispose();
    // The config says the model has a bias: weights without it belong to another model.
    await writeSafetensors(join(dir, 'model.safetensors'), { logit_scale: { dtype: 'F32', shape: [], data: Float32Array.of(Math.log(30)) } });
    await expect(loadClip(dir, fakePlugins, onnxruntime)).rejects.toThrow(/missing: "logit_bias", expected shape \[\]/);
    // The tfjs towers need their weights: a file of logit parameters only is the wrong directory.
    await expect(loadClip(dir, fakePlugins, quiet)).rejects.toThrow(/holds no tower weights.*--backend onnxruntime/);
  });

  it('leaks no tensors across load, save and dispose', async () => {
    const { model, config } = trainedModel(VIT);
    const dir = temp();
    await saveClipModel(dir, 'huggingface', model, config, fakePlugins);
    const before = tf.memory().numTensors;
    const loaded = await loadClip(dir, fakePlugins, quiet);
    await saveClipModel(temp(), 'huggingface', loaded.trainable(), loaded.config, fakePlugins);
    await loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
