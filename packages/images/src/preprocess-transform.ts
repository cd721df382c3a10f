import { ConfigError, type PreprocessConfig, preprocessorConfigJson } from '@clipkit/core';
import { ClipImageTransform, type ClipImageTransformOptions } from './clip-image-transform.js';

/**
 * The transform of a `preprocess` section for a model taking imageSize x imageSize images, built from the
 * very preprocessor_config.json that model folders record for it (preprocessorConfigJson), so training data,
 * the saved file and every command reading image files go through one transform.
 */
export function preprocessTransform(preprocess: PreprocessConfig, imageSize: number): ClipImageTransform {
  return ClipImageTransform.fromPreprocessorConfig(preprocessorConfigJson(preprocess, imageSize), 'the preprocess section');
}

const BYTE_RESCALE = 1 / 255;

/**
 * The `preprocess` section a transform amounts to (the reverse of preprocessTransform): what `train.init` takes
 * from a model's preprocessor_config.json. A transform the section cannot state (a crop of another size than the
 * model's, a non-square resize, no rescale to [0, 1]) is a ConfigError naming `source`.
 */
export function preprocessOf(options: ClipImageTransformOptions, imageSize: number, source: string): PreprocessConfig {
  const { size, cropSize, rescaleFactor, mean, std } = options;
  const problems = [];
  if (cropSize.height !== imageSize || cropSize.width !== imageSize) {
    problems.push({ path: 'crop_size', message: `must be the model's image size ${imageSize}x${imageSize}`, value: cropSize });
  }
  if (Math.abs(rescaleFactor - BYTE_RESCALE) > 1e-12)
    problems.push({ path: 'rescale_factor', message: 'must be 1/255 (do_rescale true): clipkit scales bytes to [0, 1]', value: rescaleFactor });
  if (size !== null && typeof size === 'object' && size.height !== size.width) {
    problems.push({ path: 'size', message: 'must be square: clipkit squashes images to size x size', value: size });
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
  const [resizeMode, side] = size === null ? (['none', imageSize] as const) : typeof size === 'number' ? (['shortest', size] as const) : (['squash', size.height] as const);
  return { resizeMode, size: side, mean: [mean[0], mean[1], mean[2]], std: [std[0], std[1], std[2]] };
}
