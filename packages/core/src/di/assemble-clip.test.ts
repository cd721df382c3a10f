import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../components/backend.js';
import type { ImageEncoder } from '../components/encoders.js';
import type { ClipConfig } from '../config/clip-config.js';
import { parseClipConfig } from '../config/parse-clip-config.js';
import { PluginNotFoundError } from '../errors.js';
import { assembleClip } from './assemble-clip.js';
import { type ClipPlugin, definePlugin } from './plugin.js';
import { BACKEND, IMAGE_ENCODER, LOSS, TEXT_ENCODER } from './slots.js';

/** A fake image encoder that says which plug-in built it. */
class FakeImageEncoder implements ImageEncoder {
  readonly embedDim = 4;
  disposed = false;
  constructor(
    readonly kind: string,
    readonly imageSize: number,
    readonly backend: Backend,
  ) {}
  encode(): Promise<tf.Tensor2D> {
    throw new Error('not used');
  }
  dispose(): void {
    this.disposed = true;
  }
}

const fakeBackend = definePlugin<Backend>({ slot: BACKEND, type: 'tfjs', create: () => ({ type: 'tfjs', init: async () => 'fake' }) });
const fakeVit = definePlugin<ImageEncoder>({
  slot: IMAGE_ENCODER,
  type: 'vit',
  create: (config, context) => new FakeImageEncoder('vit', config.model.vision.imageSize, context.resolve(BACKEND)),
});
const fakeResNet = definePlugin<ImageEncoder>({
  slot: IMAGE_ENCODER,
  type: 'resnet',
  create: (config, context) => new FakeImageEncoder('resnet', config.model.vision.imageSize, context.resolve(BACKEND)),
});
const plugins: ClipPlugin[] = [fakeBackend, fakeVit, fakeResNet];

function configWithVision(type: 'vit' | 'resnet', backend: 'tfjs' | 'onnxruntime' = 'tfjs'): ClipConfig {
  return parseClipConfig({
    model: {
      embedDim: 4,
      vision: type === 'vit' ? { type, imageSize: 64, patchSize: 16, width: 64 } : { type, imageSize: 64, width: 8 },
      text: { type: 'transformer', width: 64, heads: 1 },
    },
    backend: { type: backend },
  });
}

describe('assembleClip', () => {
  it('swaps image encoders with a one-word change of model.vision.type', () => {
    const vit = assembleClip(configWithVision('vit'), plugins).resolve(IMAGE_ENCODER) as FakeImageEncoder;
    const resnet = assembleClip(configWithVision('resnet'), plugins).resolve(IMAGE_ENCODER) as FakeImageEncoder;
    expect([vit.kind, resnet.kind]).toEqual(['vit', 'resnet']);
    expect(vit.imageSize).toBe(64);
  });

  it('creates one instance per pipeline, shared by the slots that depend on it', () => {
    const first = assembleClip(configWithVision('vit'), plugins);
    const second = assembleClip(configWithVision('vit'), plugins);
    const encoder = first.resolve(IMAGE_ENCODER) as FakeImageEncoder;
    expect(first.resolve(IMAGE_ENCODER)).toBe(encoder);
    expect(encoder.backend).toBe(first.resolve(BACKEND));
    expect(second.resolve(IMAGE_ENCODER)).not.toBe(encoder);
  });

  it('names the package to install when no plug-in matches', () => {
    const assembly = assembleClip(configWithVision('resnet'), [fakeBackend, fakeVit]);
    expect(() => assembly.resolve(IMAGE_ENCODER)).toThrow(PluginNotFoundError);
    expect(() => assembly.resolve(IMAGE_ENCODER)).toThrow(
      'No plug-in for model.vision.type "resnet" on backend "tfjs" (slot IMAGE_ENCODER). Install @clipkit/encoders-resnet (npm install @clipkit/encoders-resnet) and pass its plug-ins to assembleClip.',
    );
    expect(() => assembly.resolve(LOSS)).toThrow(/loss\.type "clip".*@clipkit\/losses/);
    expect(() => assembly.resolve(TEXT_ENCODER)).toThrow(/@clipkit\/text-transformer/);
  });

  it('matches towers to the runtime: a tfjs plug-in does not serve backend onnxruntime', () => {
    const assembly = assembleClip(configWithVision('vit', 'onnxruntime'), plugins);
    expect(assembly.has(IMAGE_ENCODER)).toBe(false);
    expect(() => assembly.resolve(IMAGE_ENCODER)).toThrow(/on backend "onnxruntime".*@clipkit\/backend-onnxruntime/);
  });

  it('rejects the same plug-in given twice', () => {
    expect(() => assembleClip(configWithVision('vit'), [...plugins, fakeVit])).toThrow(/2 plug-ins were given for model\.vision\.type "vit"/);
  });

  it('disposes what it created, and only that', async () => {
    const assembly = assembleClip(configWithVision('vit'), plugins);
    const encoder = assembly.resolve(IMAGE_ENCODER) as FakeImageEncoder;
    await assembly.dispose();
    expect(encoder.disposed).toBe(true);
  });
});
