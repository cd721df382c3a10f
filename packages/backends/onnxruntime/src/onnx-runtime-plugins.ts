import {
  BACKEND,
  type Backend,
  type ClipConfig,
  ClipkitError,
  type ClipPlugin,
  definePlugin,
  IMAGE_ENCODER,
  type ImageEncoder,
  type OnnxRuntimeBackendConfig,
  type PluginContext,
  TEXT_ENCODER,
  type TextEncoder,
} from '@clipkit/core';
import type { Tower } from './export/tower-weights.js';
import { OnnxImageEncoder } from './runtime/onnx-image-encoder.js';
import { OnnxRuntimeBackend } from './runtime/onnx-runtime-backend.js';
import { OnnxTextEncoder } from './runtime/onnx-text-encoder.js';
import { findOnnxTowerFile } from './runtime/onnx-tower-files.js';
import { sessionOptions } from './runtime/session-options.js';

function backendConfig(config: ClipConfig): OnnxRuntimeBackendConfig {
  // assembleClip picks these plug-ins only for backend.type "onnxruntime"; a direct call with another config is a bug.
  if (config.backend.type !== 'onnxruntime') throw new ClipkitError(`the onnxruntime plug-ins need backend.type "onnxruntime", got "${config.backend.type}"`);
  return config.backend;
}

function towerFile(context: PluginContext, tower: Tower): string {
  if (context.modelDir === undefined) {
    throw new ClipkitError('towers on onnxruntime load their .onnx files from the model directory: use loadClip(dir, plugins), or pass { modelDir } to assembleClip');
  }
  return findOnnxTowerFile(context.modelDir, tower);
}

function createImageEncoder(config: ClipConfig, context: PluginContext): ImageEncoder {
  const options = { imageSize: config.model.vision.imageSize, embedDim: config.model.embedDim, sessionOptions: sessionOptions(backendConfig(config)) };
  return new OnnxImageEncoder(towerFile(context, 'image'), options);
}

/** IMAGE_ENCODER for `model.vision.type: "vit"` on onnxruntime: `vision.onnx` (or Optimum's onnx/vision_model.onnx) in the model directory. */
export const onnxVitPlugin = definePlugin<ImageEncoder>({ slot: IMAGE_ENCODER, type: 'vit', runtime: 'onnxruntime', create: createImageEncoder });

/** IMAGE_ENCODER for `model.vision.type: "resnet"` on onnxruntime. */
export const onnxResNetPlugin = definePlugin<ImageEncoder>({ slot: IMAGE_ENCODER, type: 'resnet', runtime: 'onnxruntime', create: createImageEncoder });

/** TEXT_ENCODER for `model.text.type: "transformer"` on onnxruntime: `text.onnx` (or Optimum's onnx/text_model.onnx). */
export const onnxTextPlugin = definePlugin<TextEncoder>({
  slot: TEXT_ENCODER,
  type: 'transformer',
  runtime: 'onnxruntime',
  create: (config, context) => {
    const options = { contextLength: config.model.text.contextLength, embedDim: config.model.embedDim, sessionOptions: sessionOptions(backendConfig(config)) };
    return new OnnxTextEncoder(towerFile(context, 'text'), options);
  },
});

/** BACKEND for `backend.type: "onnxruntime"`. */
export const onnxRuntimeBackendPlugin = definePlugin<Backend>({ slot: BACKEND, type: 'onnxruntime', create: (config) => new OnnxRuntimeBackend(backendConfig(config)) });

/** Every plug-in of this package: pass them to loadClip / assembleClip beside the tfjs ones. */
export const onnxRuntimePlugins: readonly ClipPlugin[] = [onnxRuntimeBackendPlugin, onnxVitPlugin, onnxResNetPlugin, onnxTextPlugin];
