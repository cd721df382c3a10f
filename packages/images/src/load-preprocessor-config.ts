import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipkitError, ConfigError } from '@clipkit/core';
import { ClipImageTransform } from './clip-image-transform.js';

/**
 * The preprocessing of a model directory: from its Hugging Face `preprocessor_config.json` when there is
 * one, else OpenAI's `_transform(imageSize)`. `imageSize` is the vision tower's input size; a config that
 * crops to another size is an error, since the tower could not take its output.
 */
export async function loadPreprocessorConfig(dir: string, imageSize: number): Promise<ClipImageTransform> {
  const path = join(dir, 'preprocessor_config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ClipImageTransform.forImageSize(imageSize);
    throw new ClipkitError(`${path}: cannot read the file (${(error as Error).message})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ClipkitError(`${path}: not valid JSON (${(error as Error).message}); fix or delete the file (without it the OpenAI CLIP defaults apply)`, { cause: error });
  }
  const transform = ClipImageTransform.fromPreprocessorConfig(json, path);
  if (transform.height !== imageSize || transform.width !== imageSize) {
    throw new ConfigError(
      [{ path: 'crop_size', message: `must match the model's image size ${imageSize}x${imageSize}`, value: { height: transform.height, width: transform.width } }],
      path,
    );
  }
  return transform;
}
