import { ConfigError, type ConfigProblem } from '@clipkit/core';
import type { ClipImageTransformOptions, Rgb, Size } from './clip-image-transform.js';
import { CLIP_MEAN, CLIP_STD } from './clip-mean-std.js';

/** transformers' PILImageResampling.BICUBIC, the only resampler ported. */
const BICUBIC = 3;

/** Fields that do not change pixel values (class names, where HF puts its tensors). */
const IGNORED_FIELDS = new Set(['processor_class', 'return_tensors', 'device', 'input_data_format', 'data_format', 'disable_grouping']);

/** What an image processor class reads, and its defaults for fields a config leaves out. */
interface Processor {
  readonly name: string;
  readonly fields: readonly string[];
  /** The `size` a config without one gets. */
  readonly size: number | Size;
  /** Whether it centre-crops (CLIPImageProcessor: do_center_crop, crop_size 224); SiglipImageProcessor has no crop. */
  readonly crops: boolean;
  readonly mean: number[];
  readonly std: number[];
}

const COMMON_FIELDS = ['do_resize', 'size', 'resample', 'do_rescale', 'rescale_factor', 'do_normalize', 'image_mean', 'image_std', 'do_convert_rgb'];

/** CLIPImageProcessor (image_processing_clip.py). */
const CLIP: Processor = {
  name: 'CLIPImageProcessor',
  fields: ['image_processor_type', 'feature_extractor_type', ...COMMON_FIELDS, 'default_to_square', 'do_center_crop', 'crop_size'],
  size: 224,
  crops: true,
  mean: [...CLIP_MEAN],
  std: [...CLIP_STD],
};

/** SiglipImageProcessor (image_processing_siglip.py): resize to exactly {height, width}, no crop, mean = std = 0.5 (IMAGENET_STANDARD). */
const SIGLIP: Processor = {
  name: 'SiglipImageProcessor',
  fields: ['image_processor_type', ...COMMON_FIELDS],
  size: { height: 224, width: 224 },
  crops: false,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
};

/** The processor classes whose preprocessing clipkit implements, by the name configs give them. */
const PROCESSORS: Readonly<Record<string, Processor>> = {
  CLIPImageProcessor: CLIP,
  CLIPImageProcessorFast: CLIP,
  CLIPFeatureExtractor: CLIP,
  SiglipImageProcessor: SIGLIP,
  SiglipImageProcessorFast: SIGLIP,
};

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

  /** A boolean field; null (transformers saves an unset option as None) means the default, as absent. */
  flag(key: string, fallback: boolean): boolean {
    const value = this.json[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    this.fail(key, 'must be true or false', value);
    return fallback;
  }

  pixels(path: string, value: unknown): number | undefined {
    return isPositiveInteger(value) ? value : this.fail(path, 'must be an integer >= 1 (pixels)', value);
  }

  /**
   * HF `size`: a number or {"shortest_edge": n} (the shorter side, CLIP), or {"height": h, "width": w} (exactly
   * that size). SiglipImageProcessor reads size["height"] and size["width"], so it takes only the last form.
   */
  size(processor: Processor): number | Size | undefined {
    const value = this.json.size ?? processor.size;
    if (isRecord(value) && Object.keys(value).length === 2 && 'height' in value && 'width' in value) {
      const height = this.pixels('size.height', value.height);
      const width = this.pixels('size.width', value.width);
      return height === undefined || width === undefined ? undefined : { height, width };
    }
    if (processor.crops && typeof value === 'number') return this.pixels('size', value);
    if (processor.crops && isRecord(value) && Object.keys(value).length === 1 && 'shortest_edge' in value) return this.pixels('size.shortest_edge', value.shortest_edge);
    const forms = processor.crops ? 'a number, {"shortest_edge": n} or {"height": h, "width": w}' : `{"height": h, "width": w} (${processor.name} resizes to exactly that size)`;
    return this.fail('size', `must be ${forms}`, value);
  }

  /** HF `crop_size`: a number (square) or {"height": h, "width": w}. */
  cropSize(): { height: number; width: number } | undefined {
    const value = this.json.crop_size;
    if (value === undefined) return { height: 224, width: 224 };
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
 * The ClipImageTransform options a Hugging Face `preprocessor_config.json` describes, for transformers'
 * CLIPImageProcessor (shortest-edge resize, centre crop, CLIP mean/std) and SiglipImageProcessor (resize to
 * exactly {height, width}, no crop, mean = std = 0.5), each with its class's defaults for missing fields.
 * Sizes, crop, rescale factor, mean and std are read; what clipkit does not implement (another resampler,
 * another processor class, unknown fields) is rejected with a ConfigError naming each field, rather than
 * silently preprocessing differently from the model's training. CLIP's crop offsets stay OpenAI's
 * (half-to-even), which CLIP checkpoints were trained with; transformers' own processor floors them. Images
 * are always converted to RGB (decodeImage), also where hub SigLIP configs leave do_convert_rgb unset.
 */
export function parsePreprocessorConfig(json: unknown, source = 'preprocessor_config.json'): ClipImageTransformOptions {
  if (!isRecord(json)) throw new ConfigError([{ path: '(root)', message: 'must be a JSON object', value: json }], source);
  const reader = new ConfigReader(json);
  const typeKey = json.image_processor_type !== undefined ? 'image_processor_type' : 'feature_extractor_type';
  const type = json[typeKey];
  const processor = type === undefined ? CLIP : PROCESSORS[String(type)];
  if (!processor) {
    reader.fail(typeKey, `must be one of ${Object.keys(PROCESSORS).join(', ')}: clipkit implements their preprocessing only`, type);
    throw new ConfigError(reader.problems, source);
  }
  for (const key of Object.keys(json)) {
    if (!processor.fields.includes(key) && !IGNORED_FIELDS.has(key)) {
      reader.fail(
        key,
        `is not a ${processor.name} option clipkit implements (it reads ${processor.fields.join(', ')}); remove it if it does not change the preprocessing`,
        json[key],
      );
    }
  }
  if (json.resample !== undefined && json.resample !== BICUBIC) reader.fail('resample', `must be ${BICUBIC} (bicubic), the only resampler clipkit implements`, json.resample);
  if (processor.crops && json.default_to_square === true) reader.fail('default_to_square', 'must be false: clipkit resizes the shortest edge, not to a square', true);
  if (!reader.flag('do_convert_rgb', true)) reader.fail('do_convert_rgb', 'must be true: clipkit always converts images to RGB', false);
  const doResize = reader.flag('do_resize', true);
  const doRescale = reader.flag('do_rescale', true);
  const doNormalize = reader.flag('do_normalize', true);
  const size = reader.size(processor);
  const exact = size !== undefined && typeof size === 'object' ? size : undefined;
  // CLIP crops (a fixed output size); without the crop, only an exact resize fixes the size. SigLIP never crops.
  const crops = processor.crops && reader.flag('do_center_crop', true);
  if (processor.crops && !crops && !(doResize && exact)) {
    reader.fail('do_center_crop', 'must be true unless size is {"height": h, "width": w}: clipkit models take a fixed input size', false);
  }
  const cropSize = crops ? reader.cropSize() : exact;
  const rescale = json.rescale_factor ?? 1 / 255;
  const rescaleFactor = typeof rescale === 'number' && rescale > 0 && Number.isFinite(rescale) ? rescale : reader.fail('rescale_factor', 'must be a number > 0', rescale);
  const mean = reader.channels('image_mean', processor.mean, false);
  const std = reader.channels('image_std', processor.std, true);
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
