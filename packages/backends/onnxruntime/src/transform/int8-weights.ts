/** A weight matrix quantised to int8 symmetrically (zero point 0), one scale per output channel. */
export interface Int8Weights {
  readonly values: Int8Array;
  /** One per channel: w ≈ q x scale. */
  readonly scales: Float32Array;
}

/**
 * Quantises a row-major [rows, cols] matrix with one scale per row (`perRow`) or per column, the scale being
 * max|w| / 127 (symmetric, so products need no weight zero point; -128 is never used, as onnxruntime's
 * quantiser). With `transpose` the result is laid out [cols, rows]. An all-zero channel gets scale 1.
 */
export function quantizeInt8Weights(values: Float32Array, rows: number, cols: number, perRow: boolean, transpose = false): Int8Weights {
  const channels = perRow ? rows : cols;
  const scales = new Float32Array(channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const channel = perRow ? r : c;
      scales[channel] = Math.max(scales[channel], Math.abs(values[r * cols + c]));
    }
  }
  for (let channel = 0; channel < channels; channel++) scales[channel] = scales[channel] > 0 ? scales[channel] / 127 : 1;
  const quantized = new Int8Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const q = Math.max(-127, Math.min(127, Math.round(values[r * cols + c] / scales[perRow ? r : c])));
      quantized[transpose ? c * rows + r : r * cols + c] = q;
    }
  }
  return { values: quantized, scales };
}
