import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../components/backend.js';
import type { ImageEncoder, TextEncoder, TrainableImageEncoder, TrainableTextEncoder } from '../components/encoders.js';
import type { Tokenizer } from '../components/tokenizer.js';
import { definePlugin } from '../di/plugin.js';
import { BACKEND, IMAGE_ENCODER, TEXT_ENCODER, TOKENIZER } from '../di/slots.js';
import { WeightsError } from '../errors.js';
import { ClipModel } from '../model/clip-model.js';
import { loadClip, type LoadedClip } from '../pipelines/load-clip.js';
import type { HostTensor } from '../safetensors/dtypes.js';
import { SafetensorsFile } from '../safetensors/safetensors-file.js';
import { clipStateTensors } from './clip-state-dict.js';
import type { ModelLayout } from './model-directory.js';
import { saveClipModel } from './save-clip-model.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;

/**
 * A tower with the state-dict names and shapes of a fixture model (the real towers live in other packages,
 * which core may not depend on). Its embeddings are not used: these tests check weights, not maths.
 */
class ShapedTower implements TrainableImageEncoder, TrainableTextEncoder {
  readonly imageSize: number;
  readonly contextLength = 77;
  readonly embedDim = 64;
  private readonly state = new Map<string, tf.Variable>();

  constructor(shapes: ReadonlyMap<string, readonly number[]>, imageSize: number) {
    this.imageSize = imageSize;
    for (const [name, shape] of shapes) {
      const zeros = tf.zeros([...shape]);
      this.state.set(name, tf.variable(zeros));
      zeros.dispose();
    }
  }
  stateDict(): Map<string, tf.Variable> {
    return new Map(this.state);
  }
  forward(): tf.Tensor2D {
    throw new Error('not used');
  }
  async encode(): Promise<tf.Tensor2D> {
    throw new Error('not used');
  }
  dispose(): void {
    for (const v of this.state.values()) v.dispose();
  }
}

/** Names and shapes of each tower of an OpenAI-named fixture file (image names without `visual.`). */
async function towerShapes(model: string) {
  const file = await SafetensorsFile.open(`${MODELS}/${model}/model.safetensors`);
  const image = new Map<string, number[]>();
  const text = new Map<string, number[]>();
  for (const [name, entry] of file.entries) {
    if (name === 'logit_scale' || name.endsWith('num_batches_tracked')) continue;
    if (name.startsWith('visual.')) image.set(name.slice('visual.'.length), [...entry.shape]);
    else text.set(name, [...entry.shape]);
  }
  await file.close();
  return { image, text };
}

const stubTokenizer: Tokenizer = { vocabSize: 1000, startOfTextId: 998, endOfTextId: 999, encode: () => [], decode: () => '', tokenize: () => new Int32Array() };

async function pluginsFor(model: string) {
  const shapes = await towerShapes(model);
  return [
    definePlugin<Backend>({ slot: BACKEND, type: 'tfjs', create: () => ({ type: 'tfjs', init: async () => 'cpu (test)' }) }),
    definePlugin<Tokenizer>({ slot: TOKENIZER, type: 'clip-bpe', create: () => stubTokenizer }),
    ...(['vit', 'resnet'] as const).map((type) =>
      definePlugin<ImageEncoder>({ slot: IMAGE_ENCODER, type, create: (config) => new ShapedTower(shapes.image, config.model.vision.imageSize) }),
    ),
    definePlugin<TextEncoder>({ slot: TEXT_ENCODER, type: 'transformer', create: () => new ShapedTower(shapes.text, 0) }),
  ];
}

function expectSameState(a: Map<string, HostTensor>, b: Map<string, HostTensor>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, t] of a) {
    expect(b.get(name)!.shape, name).toEqual(t.shape);
    expect(Buffer.from(b.get(name)!.data.buffer).equals(Buffer.from(t.data.buffer)), name).toBe(true);
  }
}

const temp = () => mkdtempSync(join(tmpdir(), 'clipkit-save-'));
const quiet = { log: () => undefined };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loadClip and saveClipModel', () => {
  it('loads the Hugging Face fixture into the same weights as the open_clip fixture, logit scale included', async () => {
    const plugins = await pluginsFor('vit-b-tiny-quickgelu');
    const openClip = await loadClip(`${MODELS}/vit-b-tiny-quickgelu`, plugins, quiet);
    const hf = await loadClip(`${MODELS}/hf/vit-b-tiny-quickgelu`, plugins, quiet);
    expect(openClip.layout).toBe('open_clip');
    expect(hf.layout).toBe('huggingface');
    expect(openClip.model.logitScale).toBeCloseTo(20, 4); // the fixtures' logit_scale = log(20)
    expectSameState(clipStateTensors(openClip.model), clipStateTensors(hf.model));
    // The fixture's first weight, read independently.
    const conv = await SafetensorsFile.open(`${MODELS}/vit-b-tiny-quickgelu/model.safetensors`);
    const expected = (await conv.read('visual.conv1.weight')).data as Float32Array;
    await conv.close();
    expect(Array.from(clipStateTensors(hf.model).get('visual.conv1.weight')!.data as Float32Array)).toEqual(Array.from(expected));
    await openClip.dispose();
    await hf.dispose();
  });

  it.each<[string, ModelLayout]>([
    ['vit-b-tiny-quickgelu', 'clipkit'],
    ['vit-b-tiny-quickgelu', 'open_clip'],
    ['vit-b-tiny-quickgelu', 'huggingface'],
    ['rn-tiny', 'clipkit'],
    ['rn-tiny', 'open_clip'],
  ])('saves %s in the %s layout and loads back the same weights and config', async (model, layout) => {
    const plugins = await pluginsFor(model);
    const original = await loadClip(`${MODELS}/${model}`, plugins, quiet);
    const dir = temp();
    await saveClipModel(dir, layout, original.model, original.config);
    const reloaded = await loadClip(dir, plugins, quiet);
    expect(reloaded.layout).toBe(layout);
    expect(reloaded.config.model).toEqual(original.config.model);
    expect(reloaded.model.logitScale).toBe(original.model.logitScale);
    expectSameState(clipStateTensors(original.model), clipStateTensors(reloaded.model));
    await original.dispose();
    await reloaded.dispose();
  });

  it('writes what PyTorch loaders read: metadata format pt, [] logit_scale, BatchNorm counters, open_clip model_cfg', async () => {
    const original = await loadClip(`${MODELS}/rn-tiny`, await pluginsFor('rn-tiny'), quiet);
    const dir = temp();
    await saveClipModel(dir, 'open_clip', original.model, original.config);
    const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.entry('logit_scale').shape).toEqual([]);
    expect(file.entry('visual.layer1.0.bn1.num_batches_tracked').dtype).toBe('I64');
    await file.close();
    const config = JSON.parse(readFileSync(join(dir, 'open_clip_config.json'), 'utf8'));
    expect(config.model_cfg.vision_cfg.layers).toEqual([1, 2, 1, 1]);
    expect(config.preprocess_cfg.mean).toEqual([0.48145466, 0.4578275, 0.40821073]);
    await original.dispose();
  });

  it('refuses to save a ResNet as Hugging Face, and a SigLIP bias as Hugging Face, before writing anything', async () => {
    const rn = await loadClip(`${MODELS}/rn-tiny`, await pluginsFor('rn-tiny'), quiet);
    const dir = temp();
    await expect(saveClipModel(dir, 'huggingface', rn.model, rn.config)).rejects.toThrow(/no ResNet image tower.*"open_clip" or "clipkit"/);
    const vit = await loadClip(`${MODELS}/vit-b-tiny-quickgelu`, await pluginsFor('vit-b-tiny-quickgelu'), quiet);
    const siglip = new ClipModel(vit.model.imageEncoder, vit.model.textEncoder, { logitScale: 10, logitBias: -10 });
    await expect(saveClipModel(dir, 'huggingface', siglip, vit.config)).rejects.toThrow(/no logit_bias/);
    expect(readdirSync(dir)).toEqual([]);
    // The bias survives the OpenAI-named layouts.
    await saveClipModel(dir, 'open_clip', siglip, vit.config);
    // open_clip builds the logit_bias parameter only when the config asks for it.
    expect(JSON.parse(readFileSync(join(dir, 'open_clip_config.json'), 'utf8')).model_cfg.init_logit_bias).toBe(-10);
    const reloaded = await loadClip(dir, await pluginsFor('vit-b-tiny-quickgelu'), quiet);
    expect(reloaded.model.logitBias).toBe(-10);
    await Promise.all([rn.dispose(), vit.dispose(), reloaded.dispose()]);
  });

  it('copies the tokenizer files the config names, and points clipkit.json at them', async () => {
    const vit = await loadClip(`${MODELS}/vit-b-tiny-quickgelu`, await pluginsFor('vit-b-tiny-quickgelu'), quiet);
    const dir = temp();
    const config = { ...vit.config, tokenizer: { type: 'clip-bpe' as const, path: `${process.env.CLIPKIT_SHARED}/fixtures/tokenizer` } };
    await saveClipModel(dir, 'clipkit', vit.model, config);
    expect(existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'clipkit.json'), 'utf8')).tokenizer.path).toBe('.');
    const reloaded = await loadClip(dir, await pluginsFor('vit-b-tiny-quickgelu'), quiet);
    expect(reloaded.config.tokenizer.path).toBe(dir);
    await Promise.all([vit.dispose(), reloaded.dispose()]);
  });

  it('fails naming the weights file when a directory has a config but no model.safetensors', async () => {
    const dir = temp();
    const vit = await loadClip(`${MODELS}/vit-b-tiny-quickgelu`, await pluginsFor('vit-b-tiny-quickgelu'), quiet);
    await saveClipModel(dir, 'open_clip', vit.model, vit.config);
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'model.safetensors'));
    const error = await loadClip(dir, await pluginsFor('vit-b-tiny-quickgelu'), quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    expect((error as Error).message).toContain(join(dir, 'model.safetensors'));
    await vit.dispose();
  });

  it('leaks no tensors across load, save and dispose', async () => {
    const plugins = await pluginsFor('vit-b-tiny-quickgelu');
    const before = tf.memory().numTensors;
    const loaded: LoadedClip = await loadClip(`${MODELS}/hf/vit-b-tiny-quickgelu`, plugins, quiet);
    await saveClipModel(temp(), 'huggingface', loaded.model, loaded.config);
    await loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
