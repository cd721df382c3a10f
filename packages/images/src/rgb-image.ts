/**
 * An 8-bit RGB image, as PIL holds one after `convert("RGB")`: rows top to bottom, pixels left to right,
 * three bytes (R, G, B) per pixel.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** HWC bytes, length `height * width * 3`. */
  readonly data: Uint8Array;
}
