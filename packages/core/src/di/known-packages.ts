import type { SectionPath } from './slots.js';

/**
 * Which npm package provides each component type clipkit knows of, for the "install X" hint of a config
 * that names a type no given plug-in offers. Data only: plug-ins are found from what the caller passes
 * (and a config's `plugins`), never from this table; a third-party package needs no entry here.
 */
export const KNOWN_PACKAGES: Readonly<Record<SectionPath, Readonly<Record<string, string>>>> = {
  'model.vision': { vit: '@clipkit/encoders-vit', resnet: '@clipkit/encoders-resnet', siglip: '@clipkit/encoders-siglip' },
  'model.text': { transformer: '@clipkit/text-transformer', siglip: '@clipkit/encoders-siglip' },
  tokenizer: { 'clip-bpe': '@clipkit/text-transformer', siglip: '@clipkit/tokenizer-sentencepiece' },
  loss: { clip: '@clipkit/losses', siglip: '@clipkit/losses' },
  backend: { tfjs: '@clipkit/backend-tfjs', onnxruntime: '@clipkit/backend-onnxruntime' },
  data: { 'synthetic-shapes': '@clipkit/datasets', 'fashion-mnist': '@clipkit/datasets', 'image-text': '@clipkit/datasets', 'image-folder': '@clipkit/datasets' },
};

/** Towers run on onnxruntime through this package, whatever their type. */
export const ONNX_RUNTIME_PACKAGE = '@clipkit/backend-onnxruntime';
