import { ClipkitError, type LoadedClip } from '@clipkit/core';
import { ClipImageTransform, loadPreprocessorConfig, type Rgb } from '@clipkit/images';

/** open_clip's PreprocessCfg defaults, the only resampling clipkit ports. */
const OPEN_CLIP_DEFAULTS = { interpolation: 'bicubic', resize_mode: 'shortest' } as const;

function rgb(value: unknown, field: string, source: string): Rgb {
  if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number')) return value as unknown as Rgb;
  throw new ClipkitError(`${source}: preprocess_cfg.${field} must be 3 numbers, got ${JSON.stringify(value)}`);
}

/**
 * The image preprocessing of a loaded model directory: its preprocessor_config.json (Hugging Face,
 * clipkit), else the mean/std of open_clip's preprocess_cfg, else OpenAI's _transform(imageSize).
 */
export async function imagePreprocessor(loaded: LoadedClip): Promise<ClipImageTransform> {
  const { dir, openClipPreprocess, configFile } = loaded.directory;
  const imageSize = loaded.model.imageEncoder.imageSize;
  if (loaded.layout !== 'open_clip' || openClipPreprocess === null) return loadPreprocessorConfig(dir, imageSize);
  for (const [field, supported] of Object.entries(OPEN_CLIP_DEFAULTS)) {
    const value = openClipPreprocess[field];
    if (value !== undefined && value !== supported) {
      throw new ClipkitError(
        `${configFile}: preprocess_cfg.${field} "${String(value)}" is not supported (clipkit resizes the shortest side, bicubic); preprocess the images elsewhere and pass --pixel-values`,
      );
    }
  }
  return new ClipImageTransform({
    size: imageSize,
    cropSize: { height: imageSize, width: imageSize },
    ...(openClipPreprocess.mean === undefined ? {} : { mean: rgb(openClipPreprocess.mean, 'mean', configFile) }),
    ...(openClipPreprocess.std === undefined ? {} : { std: rgb(openClipPreprocess.std, 'std', configFile) }),
  });
}
