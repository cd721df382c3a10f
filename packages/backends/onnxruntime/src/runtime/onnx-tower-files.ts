import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import type { Tower } from '../tower.js';

/**
 * Where each tower's .onnx file may be in a model directory, in the order they are looked for: clipkit's
 * export-onnx and torch.onnx exports name them vision.onnx / text.onnx; Hugging Face Optimum (and the
 * transformers.js model repositories) keep onnx/vision_model.onnx / onnx/text_model.onnx.
 */
export const ONNX_TOWER_FILES: Readonly<Record<Tower, readonly string[]>> = {
  image: ['vision.onnx', 'onnx/vision_model.onnx'],
  text: ['text.onnx', 'onnx/text_model.onnx'],
};

/** The tower's .onnx file in `dir`; a ClipkitError saying what was looked for and how to make one when there is none. */
export function findOnnxTowerFile(dir: string, tower: Tower): string {
  const candidates = ONNX_TOWER_FILES[tower];
  const found = candidates.map((file) => join(dir, file)).find((path) => existsSync(path));
  if (found) return found;
  throw new ClipkitError(
    `${dir} has no ONNX ${tower} tower (looked for ${candidates.join(' and ')}). ` +
      'Export the model with `clipkit export-onnx --model DIR --out DIR`, or run it with --backend tfjs.',
  );
}
