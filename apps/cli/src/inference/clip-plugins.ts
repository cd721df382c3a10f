import { onnxRuntimePlugins } from '@clipkit/backend-onnxruntime';
import { tfjsBackendPlugin } from '@clipkit/backend-tfjs';
import type { ClipPlugin } from '@clipkit/core';
import { datasetPlugins } from '@clipkit/datasets';
import { resnetPlugin } from '@clipkit/encoders-resnet';
import { vitPlugin } from '@clipkit/encoders-vit';
import { lossPlugins } from '@clipkit/losses';
import { clipBpeTokenizerPlugin, textTransformerPlugin } from '@clipkit/text-transformer';

/** Every plug-in the CLI ships: the command line has no other way to name one. */
export const CLIP_PLUGINS: readonly ClipPlugin[] = [
  tfjsBackendPlugin,
  clipBpeTokenizerPlugin,
  vitPlugin,
  resnetPlugin,
  textTransformerPlugin,
  ...lossPlugins,
  ...datasetPlugins,
  ...onnxRuntimePlugins,
];
