import type { HostTensor } from '../safetensors/dtypes.js';
import { requireHfStorage } from './openai-hf-names.js';

/** A row-major [rows, cols] matrix as [cols, rows]. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/**
 * An OpenAI-named CLIP state (clipStateTensors) under Hugging Face CLIPModel names, in the form
 * transformers saves: q/k/v projections split out of in_proj, projections transposed to Linear weights.
 * Throws for tensors HF CLIP has no place for (ResNet towers, logit_bias).
 */
export function toHfStateTensors(tensors: ReadonlyMap<string, HostTensor>): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [name, tensor] of tensors) {
    const storage = requireHfStorage(name);
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
