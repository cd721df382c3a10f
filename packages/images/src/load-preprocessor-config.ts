import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipkitError, ConfigError } from '@clipkit/core';
import { ClipImageTransform, type ClipImageTransformOptions } from './clip-image-transform.js';

/** The field that sets the output size: `size` for an exact resize with no crop of its own (SiglipImageProcessor), else `crop_size`. */
function outputSizeField(options: ClipImageTransformOptions, json: object): string {
  const { size, cropSize } = options;
  const exact = size !== null && typeof size === 'object' && size.height === cropSize.height && size.width === cropSize.width;
  return exact && !('crop_size' in json) ? 'size' : 'crop_size';
}

/**
 * The preprocessing of a model directory: from its Hugging Face `preprocessor_config.json` when there is
 * one (CLIPImageProcessor or SiglipImageProcessor), else OpenAI's `_transform(imageSize)`. `imageSize` is
 * the vision tower's input size; a config whose output has another size is an error, since the tower could
 * not take it.
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
      [
        {
          path: outputSizeField(transform.options, json as object),
          message: `must match the model's image size ${imageSize}x${imageSize}`,
          value: { height: transform.height, width: transform.width },
        },
      ],
      path,
    );
  }
  return transform;
}
