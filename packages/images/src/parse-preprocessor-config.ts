import { ConfigError, type ConfigProblem } from '@clipkit/core';
import type { ClipImageTransformOptions, Rgb } from './clip-image-transform.js';
import { CLIP_MEAN, CLIP_STD } from './clip-mean-std.js';

/** Processors whose fields mean what CLIPImageProcessor's do (missing fields take its defaults). */
const CLIP_PROCESSOR_TYPES: readonly unknown[] = ['CLIPImageProcessor', 'CLIPImageProcessorFast', 'CLIPFeatureExtractor'];

/** transformers' PILImageResampling.BICUBIC, the only resampler ported. */
const BICUBIC = 3;

/** Fields that do not change pixel values (class names, where HF puts its tensors). */
const IGNORED_FIELDS = new Set(['processor_class', 'return_tensors', 'device', 'input_data_format', 'data_format', 'disable_grouping']);

const READ_FIELDS = [
  'image_processor_type',
  'feature_extractor_type',
  'do_resize',
  'size',
  'resample',
  'default_to_square',
  'do_center_crop',
  'crop_size',
  'do_rescale',
  'rescale_factor',
  'do_normalize',
  'image_mean',
  'image_std',
  'do_convert_rgb',
];

/** CLIPImageProcessor's defaults for missing fields. */
const CLIP_DEFAULTS = { size: 224, crop: 224, mean: [...CLIP_MEAN], std: [...CLIP_STD] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** Reads one HF preprocessor_config.json, collecting every problem before throwing. */
class ConfigReader {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly json: Record<string, unknown>) {}

  fail(path: string, message: string, value?: unknown): undefined {
    this.problems.push({ path, message, value });
    return undefined;
  }

  flag(key: string, fallback: boolean): boolean {
    const value = this.json[key];
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.fail(key, 'must be true or false', value);
    return fallback;
  }

  pixels(path: string, value: unknown): number | undefined {
    return isPositiveInteger(value) ? value : this.fail(path, 'must be an integer >= 1 (pixels)', value);
  }

  /** HF `size`: a number (the shortest edge, for CLIP) or {"shortest_edge": n}. */
  shortestEdge(): number | undefined {
    const value = this.json.size;
    if (value === undefined) return CLIP_DEFAULTS.size;
    if (typeof value === 'number') return this.pixels('size', value);
    if (isRecord(value) && Object.keys(value).length === 1 && 'shortest_edge' in value) return this.pixels('size.shortest_edge', value.shortest_edge);
    return this.fail(
      'size',
      'must be a number or {"shortest_edge": n}: clipkit resizes the shortest edge as CLIP does (resizing to an exact {height, width} is not implemented)',
      value,
    );
  }

  /** HF `crop_size`: a number (square) or {"height": h, "width": w}. */
  cropSize(): { height: number; width: number } | undefined {
    const value = this.json.crop_size;
    if (value === undefined) return { height: CLIP_DEFAULTS.crop, width: CLIP_DEFAULTS.crop };
    if (typeof value === 'number') {
      const side = this.pixels('crop_size', value);
      return side === undefined ? undefined : { height: side, width: side };
    }
    if (isRecord(value) && Object.keys(value).length === 2 && 'height' in value && 'width' in value) {
      const height = this.pixels('crop_size.height', value.height);
      const width = this.pixels('crop_size.width', value.width);
      return height === undefined || width === undefined ? undefined : { height, width };
    }
    return this.fail('crop_size', 'must be a number or {"height": h, "width": w}', value);
  }

  /** image_mean / image_std: three numbers (one per RGB channel) or one for all three. */
  channels(key: string, fallback: number[], positive: boolean): Rgb | undefined {
    const value = this.json[key] ?? fallback;
    const list = typeof value === 'number' ? [value, value, value] : value;
    const ok = Array.isArray(list) && list.length === 3 && list.every((v) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0));
    if (ok) return list as unknown as Rgb;
    return this.fail(key, `must be 3 numbers${positive ? ' > 0' : ''} (R, G, B) or one number for all three`, value);
  }
}

/**
 * The ClipImageTransform options a Hugging Face `preprocessor_config.json` (CLIPImageProcessor) describes.
 * Sizes, crop, rescale factor, mean and std are read; options clipkit does not implement (another resampler,
 * no centre crop, an exact-size resize, unknown fields) are rejected with a ConfigError naming each field,
 * rather than silently preprocessing differently from the model's training. The crop offsets stay OpenAI's
 * (half-to-even), which is what CLIP checkpoints were trained with; transformers' own processor floors them.
 */
export function parsePreprocessorConfig(json: unknown, source = 'preprocessor_config.json'): ClipImageTransformOptions {
  if (!isRecord(json)) throw new ConfigError([{ path: '(root)', message: 'must be a JSON object', value: json }], source);
  const reader = new ConfigReader(json);
  for (const key of ['image_processor_type', 'feature_extractor_type']) {
    if (json[key] !== undefined && !CLIP_PROCESSOR_TYPES.includes(json[key])) {
      reader.fail(key, `must be one of ${CLIP_PROCESSOR_TYPES.join(', ')}: clipkit implements CLIP's preprocessing only`, json[key]);
    }
  }
  for (const key of Object.keys(json)) {
    if (!READ_FIELDS.includes(key) && !IGNORED_FIELDS.has(key)) {
      reader.fail(key, `is not a CLIPImageProcessor option clipkit implements (it reads ${READ_FIELDS.join(', ')}); remove it if it does not change the preprocessing`, json[key]);
    }
  }
  if (json.resample !== undefined && json.resample !== BICUBIC) reader.fail('resample', `must be ${BICUBIC} (bicubic), the only resampler clipkit implements`, json.resample);
  if (json.default_to_square === true) reader.fail('default_to_square', 'must be false: clipkit resizes the shortest edge, not to a square', true);
  if (!reader.flag('do_center_crop', true)) reader.fail('do_center_crop', 'must be true: clipkit models take a fixed input size, so the image is always centre-cropped', false);
  if (!reader.flag('do_convert_rgb', true)) reader.fail('do_convert_rgb', 'must be true: clipkit always converts images to RGB', false);
  const doResize = reader.flag('do_resize', true);
  const doRescale = reader.flag('do_rescale', true);
  const doNormalize = reader.flag('do_normalize', true);
  const size = reader.shortestEdge();
  const cropSize = reader.cropSize();
  const rescale = json.rescale_factor ?? 1 / 255;
  const rescaleFactor = typeof rescale === 'number' && rescale > 0 && Number.isFinite(rescale) ? rescale : reader.fail('rescale_factor', 'must be a number > 0', rescale);
  const mean = reader.channels('image_mean', CLIP_DEFAULTS.mean, false);
  const std = reader.channels('image_std', CLIP_DEFAULTS.std, true);
  if (reader.problems.length > 0 || size === undefined || cropSize === undefined || rescaleFactor === undefined || mean === undefined || std === undefined) {
    throw new ConfigError(reader.problems, source);
  }
  return {
    size: doResize ? size : null,
    cropSize,
    rescaleFactor: doRescale ? rescaleFactor : 1,
    mean: doNormalize ? mean : [0, 0, 0],
    std: doNormalize ? std : [1, 1, 1],
  };
}
