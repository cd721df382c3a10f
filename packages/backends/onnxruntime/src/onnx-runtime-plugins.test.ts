import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleClip, BACKEND, ConfigError, IMAGE_ENCODER, parseClipConfig, TEXT_ENCODER } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { onnxImageEncoderPlugin, onnxTextEncoderPlugin, plugins } from './onnx-runtime-plugins.js';
import { OnnxImageEncoder } from './runtime/onnx-image-encoder.js';
import { OnnxTextEncoder } from './runtime/onnx-text-encoder.js';
import { MODELS, PLUGINS } from './testing/fixtures.js';

const config = (vision: 'vit' | 'resnet', backend: 'tfjs' | 'onnxruntime' = 'onnxruntime') =>
  parseClipConfig(
    {
      model: {
        embedDim: 64,
        vision: vision === 'vit' ? { type: 'vit', imageSize: 32, patchSize: 8, width: 128 } : { type: 'resnet', imageSize: 64, width: 16 },
        text: { type: 'transformer', width: 64, heads: 4 },
      },
      backend: { type: backend, threads: 1 },
    },
    backend === 'onnxruntime' ? PLUGINS : PLUGINS.filter((p) => p.slot !== BACKEND),
  ); // without backend-tfjs's plug-in, its section is left unchecked

describe("the onnxruntime package's plug-ins", () => {
  it('fill the inference towers for any tower type on runtime onnxruntime', () => {
    for (const plugin of [onnxImageEncoderPlugin, onnxTextEncoderPlugin]) expect([plugin.type, plugin.runtime]).toEqual(['*', 'onnxruntime']);
  });

  it("declare the backend section's defaults and bounds", () => {
    expect(config('vit').backend).toEqual({ type: 'onnxruntime', threads: 1, graphOptimization: 'all' });
    const parse = (backend: object) => () => parseClipConfig({ model: { embedDim: 8, vision: { type: 'vit' }, text: { type: 'transformer' } }, backend }, plugins);
    expect(parse({ type: 'onnxruntime' })().backend).toEqual({ type: 'onnxruntime', threads: null, graphOptimization: 'all' });
    const error = (() => {
      try {
        parse({ type: 'onnxruntime', graphOptimization: 'fast', threads: 0 })();
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => [p.path, p.value])).toEqual([
      ['backend.threads', 0],
      ['backend.graphOptimization', 'fast'],
    ]);
  });

  it.each(['vit', 'resnet'] as const)("fill the towers of a %s model on backend onnxruntime from the model directory's .onnx files", async (vision) => {
    const assembly = assembleClip(config(vision), PLUGINS, { modelDir: `${MODELS}/onnx`, log: () => undefined });
    const image = assembly.resolve(IMAGE_ENCODER);
    const text = assembly.resolve(TEXT_ENCODER);
    expect(image).toBeInstanceOf(OnnxImageEncoder);
    expect((image as OnnxImageEncoder).path).toBe(`${MODELS}/onnx/vision.onnx`);
    expect(text).toBeInstanceOf(OnnxTextEncoder);
    expect([image.imageSize, image.embedDim, text.contextLength]).toEqual([vision === 'vit' ? 32 : 64, 64, 77]);
    expect(await assembly.resolve(BACKEND).init()).toMatch(/^onnxruntime-node 1\.\d+\.\d+ \(cpu, 1 thread, graph optimisation all\); tfjs \w+ for tensors$/);
    await assembly.dispose();
  });

  it('do not serve backend tfjs', () => {
    const assembly = assembleClip(config('vit', 'tfjs'), plugins, { modelDir: `${MODELS}/onnx` });
    expect(assembly.has(IMAGE_ENCODER)).toBe(false);
    expect(assembly.has(TEXT_ENCODER)).toBe(false);
  });

  it('say where the .onnx files were looked for and how to make them', () => {
    const empty = mkdtempSync(join(tmpdir(), 'clipkit-empty-'));
    const assembly = assembleClip(config('vit'), PLUGINS, { modelDir: empty });
    expect(() => assembly.resolve(IMAGE_ENCODER)).toThrow(
      /has no ONNX image tower \(looked for vision\.onnx and onnx\/vision_model\.onnx\)\. Export the model with `clipkit export-onnx/,
    );
    expect(() => assembleClip(config('vit'), PLUGINS).resolve(TEXT_ENCODER)).toThrow(/load their \.onnx files from the model directory/);
  });
});
