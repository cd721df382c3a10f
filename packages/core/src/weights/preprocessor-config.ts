import type { PreprocessConfig } from '../config/clip-config.js';

/** OpenAI CLIP's pixel normalisation (clip.py _transform), the default of every CLIP preprocessor. */
export const OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** The file transformers' AutoImageProcessor reads; clipkit writes it into every model folder it saves. */
export const PREPROCESSOR_CONFIG_FILE = 'preprocessor_config.json';

/** OpenAI's `_transform(imageSize)`: the shorter side to imageSize, centre crop, CLIP mean and std. */
export function clipPreprocess(imageSize: number): PreprocessConfig {
  return { resizeMode: 'shortest', size: imageSize, mean: [...OPENAI_CLIP_MEAN], std: [...OPENAI_CLIP_STD] };
}

/**
 * The transformers preprocessor_config.json of a transform for a model taking imageSize x imageSize images.
 * A squash to exactly the model's size is SigLIP's SiglipImageProcessor; everything else is a
 * CLIPImageProcessor, whose centre crop zero-pads an image smaller than the crop (a 28 px Fashion-MNIST image
 * becomes 32 px with 2 px of zeros on each side), so every PreprocessConfig has an exact transformers form.
 */
export function preprocessorConfigJson(preprocess: PreprocessConfig, imageSize: number): Record<string, unknown> {
  const { resizeMode, size, mean, std } = preprocess;
  const normalise = { do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [...mean], image_std: [...std], do_convert_rgb: true };
  const square = { height: size, width: size };
  if (resizeMode === 'squash' && size === imageSize) {
    return { image_processor_type: 'SiglipImageProcessor', do_resize: true, size: square, resample: 3, ...normalise };
  }
  return {
    image_processor_type: 'CLIPImageProcessor',
    do_resize: resizeMode !== 'none',
    size: resizeMode === 'squash' ? square : { shortest_edge: size },
    resample: 3, // bicubic
    do_center_crop: true,
    crop_size: { height: imageSize, width: imageSize },
    ...normalise,
  };
}
