import type { HostTensor } from '../safetensors/dtypes.js';
import { type HfStorageOf, requireHfStorage } from './hf-storage.js';

/** A row-major [rows, cols] matrix as [cols, rows]. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/**
 * A model's OpenAI-named state (clipStateTensors) under its Hugging Face names, in the form transformers
 * saves (e.g. CLIP: q/k/v projections split out of in_proj, projections transposed to Linear weights).
 * Throws for tensors the layout has no place for.
 */
export function toHfStateTensors(tensors: ReadonlyMap<string, HostTensor>, storageOf: HfStorageOf): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [name, tensor] of tensors) {
    const storage = requireHfStorage(storageOf, name);
    const data = tensor.data as Float32Array;
    if (storage.kind === 'rename') {
      out.set(storage.name, tensor);
    } else if (storage.kind === 'transpose') {
      const [rows, cols] = tensor.shape;
      out.set(storage.name, { dtype: 'F32', shape: [cols, rows], data: transpose2d(data, rows, cols) });
    } else {
      const rows = tensor.shape[0] / 3;
      const size = data.length / 3;
      storage.names.forEach((part, i) => {
        out.set(part, { dtype: 'F32', shape: [rows, ...tensor.shape.slice(1)], data: data.slice(i * size, (i + 1) * size) });
      });
    }
  }
  return out;
}
