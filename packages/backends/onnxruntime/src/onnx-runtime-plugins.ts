import {
  BACKEND,
  type Backend,
  type ClipConfig,
  ClipkitError,
  definePlugin,
  IMAGE_ENCODER,
  type ImageEncoder,
  type PluginContext,
  TEXT_ENCODER,
  type TextEncoder,
  type TextSection,
  type VisionSection,
} from '@clipkit/core';
import { type OnnxRuntimeBackendConfig, onnxRuntimeBackendSchema } from './onnx-runtime-schema.js';
import { OnnxImageEncoder } from './runtime/onnx-image-encoder.js';
import { OnnxRuntimeBackend } from './runtime/onnx-runtime-backend.js';
import { OnnxTextEncoder } from './runtime/onnx-text-encoder.js';
import { findOnnxTowerFile } from './runtime/onnx-tower-files.js';
import { sessionOptions } from './runtime/session-options.js';
import type { Tower } from './tower.js';

function backendSection(config: ClipConfig): OnnxRuntimeBackendConfig {
  // assembleClip picks the tower plug-ins only for backend.type "onnxruntime"; a direct call with another config is a bug.
  if (config.backend.type !== 'onnxruntime') throw new ClipkitError(`the onnxruntime plug-ins need backend.type "onnxruntime", got "${config.backend.type}"`);
  return config.backend as OnnxRuntimeBackendConfig;
}

function towerFile(context: PluginContext, tower: Tower): string {
  if (context.modelDir === undefined) {
    throw new ClipkitError('towers on onnxruntime load their .onnx files from the model directory: use loadClip(dir, plugins), or pass { modelDir } to assembleClip');
  }
  return findOnnxTowerFile(context.modelDir, tower);
}

/**
 * IMAGE_ENCODER on onnxruntime for any `model.vision.type`: it runs whatever tower was exported, from
 * `vision.onnx` (or Optimum's onnx/vision_model.onnx) in the model directory.
 */
export const onnxImageEncoderPlugin = definePlugin<ImageEncoder, VisionSection>({
  slot: IMAGE_ENCODER,
  type: '*',
  runtime: 'onnxruntime',
  create: (section, context) => {
    const options = { imageSize: section.imageSize, embedDim: context.config.model.embedDim, sessionOptions: sessionOptions(backendSection(context.config)) };
    return new OnnxImageEncoder(towerFile(context, 'image'), options);
  },
});

/** TEXT_ENCODER on onnxruntime for any `model.text.type`: `text.onnx` (or Optimum's onnx/text_model.onnx). */
export const onnxTextEncoderPlugin = definePlugin<TextEncoder, TextSection>({
  slot: TEXT_ENCODER,
  type: '*',
  runtime: 'onnxruntime',
  create: (section, context) => {
    const options = { contextLength: section.contextLength, embedDim: context.config.model.embedDim, sessionOptions: sessionOptions(backendSection(context.config)) };
    return new OnnxTextEncoder(towerFile(context, 'text'), options);
  },
});

/** BACKEND for `backend.type: "onnxruntime"`. */
export const onnxRuntimeBackendPlugin = definePlugin<Backend, OnnxRuntimeBackendConfig>({
  slot: BACKEND,
  type: 'onnxruntime',
  schema: onnxRuntimeBackendSchema,
  create: (section) => new OnnxRuntimeBackend(section),
});

/** Every plug-in of this package: pass them to loadClip / assembleClip beside the towers' and the tokenizer's. */
export const plugins = [onnxRuntimeBackendPlugin, onnxImageEncoderPlugin, onnxTextEncoderPlugin];
