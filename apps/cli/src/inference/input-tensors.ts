import { ClipkitError, type HostTensor, readSafetensors, toFloat32, toInt32 } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';

async function readNamed(file: string, name: string, flag: string): Promise<HostTensor> {
  const tensors = await readSafetensors(file);
  const tensor = tensors.get(name);
  if (!tensor) {
    throw new ClipkitError(`${file}: ${flag} needs a tensor named "${name}", but the file holds ${[...tensors.keys()].map((n) => `"${n}"`).join(', ') || 'no tensors'}`);
  }
  return tensor;
}

/** `--pixel-values`: a tensor `pixel_values` [N, 3, S, S] of float pixels, already CLIP-normalised. */
export async function readPixelValues(file: string, imageSize: number): Promise<tf.Tensor4D> {
  const tensor = await readNamed(file, 'pixel_values', '--pixel-values');
  const [, channels, height, width] = tensor.shape;
  if (!['F32', 'F16', 'BF16', 'F64'].includes(tensor.dtype) || tensor.shape.length !== 4 || channels !== 3 || height !== imageSize || width !== imageSize) {
    throw new ClipkitError(
      `${file}: tensor "pixel_values" is ${tensor.dtype} [${tensor.shape.join(', ')}], but the model takes F32 [N, 3, ${imageSize}, ${imageSize}] (CLIP-normalised pixels, channels first)`,
    );
  }
  return tf.tensor4d(toFloat32(tensor), tensor.shape as [number, number, number, number]);
}

/** `--input-ids`: a tensor `input_ids` [N, L] of I64 or I32 token ids, L at most the context length. */
export async function readInputIds(file: string, contextLength: number): Promise<tf.Tensor2D> {
  const tensor = await readNamed(file, 'input_ids', '--input-ids');
  if (!['I64', 'I32'].includes(tensor.dtype) || tensor.shape.length !== 2 || tensor.shape[1] > contextLength) {
    throw new ClipkitError(
      `${file}: tensor "input_ids" is ${tensor.dtype} [${tensor.shape.join(', ')}], but the model takes I64 or I32 [N, L] token ids with L <= ${contextLength}`,
    );
  }
  return tf.tensor2d(toInt32(tensor, `${file}: tensor "input_ids"`), tensor.shape as [number, number], 'int32');
}
