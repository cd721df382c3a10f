import { writeFileSync } from 'node:fs';

interface Overrides {
  model?: Record<string, unknown>;
  loss?: 'clip' | 'siglip';
  data?: Record<string, unknown>;
  train?: Record<string, unknown>;
}

/**
 * Writes to `file` the CLI tests' training config: a one-block ViT and text transformer (width 32) on the
 * synthetic shapes, small enough to train a few steps in seconds on wasm. `overrides` are merged into its
 * sections (e.g. `{ train: { seed: 1 } }`).
 */
export function writeTinyShapesConfig(file: string, overrides: Overrides = {}): string {
  const config = {
    model: {
      embedDim: 32,
      ...overrides.model,
      vision: { type: 'vit', imageSize: 32, patchSize: 8, width: 32, layers: 1 },
      text: { type: 'transformer', contextLength: 16, width: 32, heads: 2, layers: 1 },
    },
    ...(overrides.loss ? { loss: { type: overrides.loss } } : {}),
    backend: { type: 'tfjs', device: 'wasm' },
    data: { type: 'synthetic-shapes', imageSize: 32, evalSize: 32, ...overrides.data },
    train: { batchSize: 8, steps: 2, warmupSteps: 1, logEvery: 1, ...overrides.train },
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}
