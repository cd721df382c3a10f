import { ClipkitError, type LoadedClip, type PreprocessConfig } from '@clipkit/core';
import { ClipImageTransform, loadPreprocessorConfig, preprocessOf, preprocessTransform, type Rgb } from '@clipkit/images';

/** open_clip's PreprocessCfg resize modes clipkit ports (both Pillow bicubic). */
const OPEN_CLIP_RESIZE_MODES: Readonly<Record<string, 'shortest' | 'squash'>> = { shortest: 'shortest', squash: 'squash' };

function rgb(value: unknown, field: string, source: string): Rgb {
  if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number')) return value as unknown as Rgb;
  throw new ClipkitError(`${source}: preprocess_cfg.${field} must be 3 numbers, got ${JSON.stringify(value)}`);
}

/** open_clip's preprocess_cfg (mean, std, resize_mode, interpolation) as a transform at the model's size. */
function openClipTransform(cfg: Readonly<Record<string, unknown>>, imageSize: number, source: string): ClipImageTransform {
  const interpolation = cfg.interpolation ?? 'bicubic';
  const resizeMode = OPEN_CLIP_RESIZE_MODES[String(cfg.resize_mode ?? 'shortest')];
  if (interpolation !== 'bicubic' || !resizeMode) {
    throw new ClipkitError(
      `${source}: preprocess_cfg.interpolation "${String(interpolation)}" / resize_mode "${String(cfg.resize_mode)}" is not supported (clipkit resizes bicubic, "shortest" or "squash"); preprocess the images elsewhere and pass --pixel-values`,
    );
  }
  const squash = resizeMode === 'squash' ? { height: imageSize, width: imageSize } : imageSize;
  return new ClipImageTransform({
    size: squash,
    cropSize: { height: imageSize, width: imageSize },
    ...(cfg.mean === undefined ? {} : { mean: rgb(cfg.mean, 'mean', source) }),
    ...(cfg.std === undefined ? {} : { std: rgb(cfg.std, 'std', source) }),
  });
}

/**
 * The image transform of a loaded model, the one its training data went through: the `preprocess` section its
 * config records (clipkit checkpoints; the clipkit key of an open_clip folder clipkit wrote), else its
 * preprocessor_config.json (Hugging Face), else open_clip's preprocess_cfg, else OpenAI's _transform(imageSize).
 */
export async function imagePreprocessor(loaded: LoadedClip): Promise<ClipImageTransform> {
  const { dir, openClipPreprocess, configFile } = loaded.directory;
  const imageSize = loaded.model.imageEncoder.imageSize;
  if (loaded.config.preprocess) return preprocessTransform(loaded.config.preprocess, imageSize);
  if (loaded.layout === 'open_clip' && openClipPreprocess !== null) return openClipTransform(openClipPreprocess, imageSize, configFile);
  return loadPreprocessorConfig(dir, imageSize);
}

/** The same transform as a `preprocess` section, for pipelines built from the model's config (evaluation data, train.init). */
export async function modelPreprocess(loaded: LoadedClip): Promise<PreprocessConfig> {
  return loaded.config.preprocess ?? preprocessOf((await imagePreprocessor(loaded)).options, loaded.model.imageEncoder.imageSize, loaded.directory.configFile);
}
