import type { Variable } from '@tensorflow/tfjs-core';
import type { TensorSource } from '../components/tensor-source.js';
import type { HostTensor } from '../safetensors/dtypes.js';
import { type TrainableClipModel, VISUAL_PREFIX } from './clip-state-dict.js';

/**
 * A loaded model's weights as a TensorSource under clipkit's (OpenAI's) state-dict names, as clipStateTensors
 * names them, read one tensor at a time: whatever layout or file the model came from, training can start from it
 * (`trainClip`'s `init`). `close` runs when the reader is done (e.g. to dispose the loaded model).
 */
export function clipStateSource(model: TrainableClipModel, path: string, close: () => Promise<void> = async () => undefined): TensorSource {
  const tensors = new Map<string, Variable | number>();
  for (const [name, variable] of model.imageEncoder.stateDict()) tensors.set(VISUAL_PREFIX + name, variable);
  for (const [name, variable] of model.textEncoder.stateDict()) tensors.set(name, variable);
  tensors.set('logit_scale', Math.log(model.logitScale));
  if (model.logitBias !== null) tensors.set('logit_bias', model.logitBias);
  const entries = new Map([...tensors].map(([name, t]) => [name, { dtype: 'F32' as const, shape: typeof t === 'number' ? [] : [...t.shape] }]));
  return {
    path,
    entries,
    async read(name: string): Promise<HostTensor> {
      const t = tensors.get(name);
      if (t === undefined) throw new Error(`${path}: no tensor "${name}"`);
      const data = typeof t === 'number' ? Float32Array.of(t) : Float32Array.from((await t.data()) as Float32Array);
      return { dtype: 'F32', shape: entries.get(name)!.shape, data };
    },
    close,
  };
}
