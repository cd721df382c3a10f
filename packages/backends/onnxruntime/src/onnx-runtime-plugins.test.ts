import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleClip, BACKEND, IMAGE_ENCODER, parseClipConfig, TEXT_ENCODER } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { onnxRuntimePlugins } from './onnx-runtime-plugins.js';
import { OnnxImageEncoder } from './runtime/onnx-image-encoder.js';
import { OnnxTextEncoder } from './runtime/onnx-text-encoder.js';
import { MODELS } from './testing/fixtures.js';

const config = (vision: 'vit' | 'resnet', backend: 'tfjs' | 'onnxruntime' = 'onnxruntime') =>
  parseClipConfig({
    model: {
      embedDim: 64,
      vision: vision === 'vit' ? { type: 'vit', imageSize: 32, patchSize: 8, width: 128 } : { type: 'resnet', imageSize: 64, width: 16 },
      text: { type: 'transformer', width: 64, heads: 4 },
    },
    backend: { type: backend, threads: 1 },
  });

describe('onnxRuntimePlugins', () => {
  it.each(['vit', 'resnet'] as const)("fill the towers of a %s model on backend onnxruntime from the model directory's .onnx files", async (vision) => {
    const assembly = assembleClip(config(vision), onnxRuntimePlugins, { modelDir: `${MODELS}/onnx`, log: () => undefined });
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
    const assembly = assembleClip(config('vit', 'tfjs'), onnxRuntimePlugins, { modelDir: `${MODELS}/onnx` });
    expect(assembly.has(IMAGE_ENCODER)).toBe(false);
    expect(assembly.has(TEXT_ENCODER)).toBe(false);
  });

  it('say where the .onnx files were looked for and how to make them', () => {
    const empty = mkdtempSync(join(tmpdir(), 'clipkit-empty-'));
    const assembly = assembleClip(config('vit'), onnxRuntimePlugins, { modelDir: empty });
    expect(() => assembly.resolve(IMAGE_ENCODER)).toThrow(
      /has no ONNX image tower \(looked for vision\.onnx and onnx\/vision_model\.onnx\)\. Export the model with `clipkit export-onnx/,
    );
    expect(() => assembleClip(config('vit'), onnxRuntimePlugins).resolve(TEXT_ENCODER)).toThrow(/load their \.onnx files from the model directory/);
  });
});
