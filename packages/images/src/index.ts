export type { RgbImage } from './rgb-image.js';
export { decodeImage } from './decode-image.js';
export { resizeBicubic } from './resize-bicubic.js';
export { resizeShortestEdge, shortestEdgeSize } from './resize-shortest-edge.js';
export { centerCrop, centerCropOffset, roundHalfEven } from './center-crop.js';
export { CLIP_MEAN, CLIP_STD } from './clip-mean-std.js';
export { ClipImageTransform, type ClipImageTransformOptions, type PixelValues, type Rgb, type Size } from './clip-image-transform.js';
export { parsePreprocessorConfig } from './parse-preprocessor-config.js';
export { loadPreprocessorConfig } from './load-preprocessor-config.js';
