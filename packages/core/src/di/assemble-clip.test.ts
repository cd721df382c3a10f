import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageEncoder } from '../components/encoders.js';
import type { ClipConfig } from '../config/clip-config.js';
import { parseClipConfig } from '../config/parse-clip-config.js';
import { PluginNotFoundError } from '../errors.js';
import {
  type FakeImageTower,
  FakeOnnxImageEncoder,
  type FakeTextTower,
  FakeTokenizer,
  fakeOnnxImagePlugin,
  fakeOnnxTextPlugin,
  fakePlugins,
  fakeTextPlugin,
  fakeTfjsPlugin,
  fakeTokenizerPlugin,
  fakeVitPlugin,
  fakeVitSchema,
  TINY_MODEL,
} from '../testing/fake-plugins.test-support.js';
import { assembleClip } from './assemble-clip.js';
import { type AnyClipPlugin, definePlugin } from './plugin.js';
import { BACKEND, DATASET, IMAGE_ENCODER, LOSS, TEXT_ENCODER, TOKENIZER, TRAINABLE_IMAGE_ENCODER, TRAINABLE_TEXT_ENCODER } from './slots.js';

const quiet = { log: () => undefined };

function config(overrides: Record<string, unknown> = {}, plugins: readonly AnyClipPlugin[] = fakePlugins): ClipConfig {
  return parseClipConfig({ model: TINY_MODEL, ...overrides }, plugins);
}

const withVision = (vision: Record<string, unknown>) => config({ model: { ...TINY_MODEL, vision } });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('assembleClip', () => {
  it('swaps image towers with a one-word change of model.vision.type, each built from its validated section', async () => {
    const vit = assembleClip(withVision({ type: 'vit', imageSize: 16, patchSize: 4 }), fakePlugins, quiet);
    const resnet = assembleClip(withVision({ type: 'resnet', imageSize: 64 }), fakePlugins, quiet);
    const vitTower = vit.resolve(TRAINABLE_IMAGE_ENCODER) as FakeImageTower;
    const resnetTower = resnet.resolve(TRAINABLE_IMAGE_ENCODER) as FakeImageTower;
    expect([vitTower.section.type, resnetTower.section.type]).toEqual(['vit', 'resnet']);
    // The section with its defaults filled (heads derived from the width), and core's embedDim from the context.
    expect(vitTower.section).toEqual({ type: 'vit', imageSize: 16, patchSize: 4, width: 8, heads: 2, activation: 'quick_gelu' });
    expect([vitTower.imageSize, resnetTower.imageSize, vitTower.embedDim]).toEqual([16, 64, 4]);
    await Promise.all([vit.dispose(), resnet.dispose()]);
  });

  it('serves the inference tower slots on tfjs with the trainable towers: one instance per pipeline', async () => {
    const first = assembleClip(config(), fakePlugins, quiet);
    const second = assembleClip(config(), fakePlugins, quiet);
    const image = first.resolve(TRAINABLE_IMAGE_ENCODER);
    expect(first.resolve(IMAGE_ENCODER)).toBe(image);
    expect(first.resolve(TEXT_ENCODER)).toBe(first.resolve(TRAINABLE_TEXT_ENCODER));
    expect(first.resolve(IMAGE_ENCODER)).toBe(first.resolve(IMAGE_ENCODER));
    expect(second.resolve(IMAGE_ENCODER)).not.toBe(image);
    await Promise.all([first.dispose(), second.dispose()]);
  });

  it('passes the whole config, the model folder, the log and the other slots to each factory', async () => {
    const seen: string[] = [];
    const probe = definePlugin<ImageEncoder>({
      slot: TRAINABLE_IMAGE_ENCODER,
      type: 'vit',
      schema: fakeVitPlugin.schema,
      create: (section, context) => {
        context.log(`${section.type} for ${context.modelDir} on ${context.resolve(BACKEND).type}, seed ${context.config.train.seed}`);
        return context.resolve(TRAINABLE_TEXT_ENCODER) as unknown as ImageEncoder; // any instance of the pipeline will do
      },
    });
    const plugins = [fakeTfjsPlugin, probe, fakeTextPlugin];
    const assembly = assembleClip(config({ train: { seed: 7 } }, plugins), plugins, { modelDir: '/models/x', log: (m) => seen.push(m) });
    expect(assembly.resolve(IMAGE_ENCODER)).toBe(assembly.resolve(TEXT_ENCODER));
    expect(seen).toEqual(['vit for /models/x on tfjs, seed 7']);
    await assembly.dispose();
  });

  it('matches inference towers to the runtime: "*" serves any type on onnxruntime, an exact type wins over it', async () => {
    const onnx = config({ backend: { type: 'onnxruntime' } });
    const withoutOnnxText = fakePlugins.filter((p) => p !== fakeOnnxTextPlugin);
    const assembly = assembleClip(onnx, withoutOnnxText, { ...quiet, modelDir: '/models/onnx' });
    const image = assembly.resolve(IMAGE_ENCODER);
    expect(image).toBeInstanceOf(FakeOnnxImageEncoder);
    expect((image as FakeOnnxImageEncoder).modelDir).toBe('/models/onnx');
    expect(assembly.resolve(BACKEND).type).toBe('onnxruntime');
    // No text tower for onnxruntime: the trainable tfjs tower does not stand in for another runtime.
    expect(assembly.has(TEXT_ENCODER)).toBe(false);
    expect(() => assembly.resolve(TEXT_ENCODER)).toThrow(PluginNotFoundError);
    expect(() => assembly.resolve(TEXT_ENCODER)).toThrow(
      'No plug-in for model.text.type "transformer" on backend "onnxruntime" (slot TEXT_ENCODER). Install @clipkit/backend-onnxruntime (npm install @clipkit/backend-onnxruntime) and pass its plug-ins (or name it in the config\'s "plugins").',
    );
    await assembly.dispose();

    const exactVit = definePlugin({ ...fakeOnnxImagePlugin, type: 'vit', create: (section) => new FakeOnnxImageEncoder(section, 4, 'exact') });
    const exact = assembleClip(onnx, [...fakePlugins, exactVit], quiet);
    expect((exact.resolve(IMAGE_ENCODER) as FakeOnnxImageEncoder).modelDir).toBe('exact');
    await exact.dispose();
  });

  it('names the package to install, or says none provides the type, when no plug-in matches', () => {
    const assembly = assembleClip(withVision({ type: 'resnet' }), [fakeTfjsPlugin, fakeVitPlugin, fakeTextPlugin], quiet);
    expect(assembly.has(IMAGE_ENCODER)).toBe(false);
    expect(() => assembly.resolve(IMAGE_ENCODER)).toThrow(
      'No plug-in for model.vision.type "resnet" on backend "tfjs" (slot IMAGE_ENCODER). Install @clipkit/encoders-resnet (npm install @clipkit/encoders-resnet) and pass its plug-ins (or name it in the config\'s "plugins").',
    );
    expect(() => assembly.resolve(LOSS)).toThrow('No plug-in for loss.type "clip" (slot LOSS). Install @clipkit/losses (npm install @clipkit/losses)');
    expect(() => assembly.resolve(DATASET)).toThrow(/data\.type "synthetic-shapes".*@clipkit\/datasets/);
    // A type no clipkit package provides: a section no given plug-in declares is not checked until resolved.
    const custom = assembleClip(config({ loss: { type: 'my-loss' } }, [fakeTfjsPlugin, fakeVitPlugin, fakeTextPlugin]), [fakeTfjsPlugin], quiet);
    expect(() => custom.resolve(LOSS)).toThrow(
      'No plug-in for loss.type "my-loss" (slot LOSS). No clipkit package provides it: check loss.type, or pass your own plug-in for slot LOSS.',
    );
  });

  it('rejects the same type given twice, naming it', () => {
    expect(() => assembleClip(config(), [...fakePlugins, fakeVitPlugin], quiet)).toThrow(
      '2 plug-ins were given for model.vision.type "vit" (slot TRAINABLE_IMAGE_ENCODER); pass each plug-in once.',
    );
    const otherVit = definePlugin({ ...fakeVitPlugin, schema: fakeVitSchema.describe('another package') });
    expect(() => parseClipConfig({ model: TINY_MODEL }, [...fakePlugins, otherVit])).toThrow(
      'two plug-ins declare different schemas for model.vision.type "vit"; pass only one package that provides it',
    );
  });

  it('disposes what it created, newest first, and nothing it did not create', async () => {
    const order: string[] = [];
    const logged = (name: string, plugin: AnyClipPlugin): AnyClipPlugin => ({
      ...plugin,
      create: (section, context) => {
        const instance = plugin.create(section, context);
        const dispose = instance.dispose?.bind(instance);
        instance.dispose = () => {
          order.push(name);
          return dispose?.();
        };
        return instance;
      },
    });
    const plugins = [logged('backend', fakeTfjsPlugin), logged('tokenizer', fakeTokenizerPlugin), logged('vision', fakeVitPlugin), logged('text', fakeTextPlugin)];
    const before = tf.memory().numTensors;
    const assembly = assembleClip(config({}, plugins), plugins, quiet);
    const text = assembly.resolve(TRAINABLE_TEXT_ENCODER) as FakeTextTower;
    const image = assembly.resolve(IMAGE_ENCODER) as FakeImageTower;
    expect(assembly.resolve(TOKENIZER)).toBeInstanceOf(FakeTokenizer);
    await assembly.dispose();
    expect(order).toEqual(['tokenizer', 'vision', 'text']); // the backend was never resolved, so never created
    expect(image.disposed && text.disposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
