import * as tf from '@tensorflow/tfjs-core';
import type { TensorSource } from '../components/tensor-source.js';
import type { HfStorage } from '../components/tower-formats.js';
import { WeightsError } from '../errors.js';
import { toFloat32 } from '../safetensors/dtypes.js';
import { transpose2d } from './hf-state-tensors.js';
import { type HfStorageOf, isHfPositionIds } from './hf-storage.js';

/** Something that takes a tensor's values: a model variable, or a plain value such as the logit scale. */
export interface WeightTarget {
  readonly shape: readonly number[];
  /** When true, a file without the tensor is not an error (logit_bias exists only in SigLIP models). */
  readonly optional?: boolean;
  set(values: Float32Array): void;
}

export interface LoadStateDictOptions {
  /**
   * Where each target is stored when the file uses another naming (a Hugging Face checkpoint: see
   * hfStorageOf); absent: the file uses the targets' own (OpenAI/open_clip) names.
   */
  storage?: HfStorageOf;
  /** Stored tensors to leave alone, e.g. a tower that another runtime loads from its own file. */
  ignore?: (storedName: string) => boolean;
}

/** One target's tensors in the file and how to turn them into the target's values. */
interface Plan {
  target: string;
  parts: { name: string; shape: readonly number[] }[];
  combine(parts: Float32Array[]): Float32Array;
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

function isVariable(target: tf.Variable | WeightTarget): target is tf.Variable {
  // Duck-typed: `instanceof` fails when two copies of tfjs-core are installed.
  return typeof (target as tf.Variable).assign === 'function';
}

function asTarget(target: tf.Variable | WeightTarget): WeightTarget {
  if (!isVariable(target)) return target;
  return {
    shape: target.shape,
    set: (values) => {
      const value = tf.tensor(values, target.shape, 'float32');
      target.assign(value);
      value.dispose();
    },
  };
}

/** Scalars are stored as [] by PyTorch parameters and as [1] by some exporters: both hold one value. */
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length <= 1 && b.length <= 1 && a.reduce((n, d) => n * d, 1) === 1 && b.reduce((n, d) => n * d, 1) === 1) return true;
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function hfPlan(target: string, shape: readonly number[], storage: HfStorage): Plan {
  switch (storage.kind) {
    case 'rename':
      return { target, parts: [{ name: storage.name, shape }], combine: ([v]) => v };
    case 'transpose':
      // The file holds [out, in]; the target [in, out].
      return { target, parts: [{ name: storage.name, shape: [shape[1], shape[0]] }], combine: ([v]) => transpose2d(v, shape[1], shape[0]) };
    case 'split-qkv': {
      const partShape = [shape[0] / 3, ...shape.slice(1)];
      return { target, parts: storage.names.map((name) => ({ name, shape: partShape })), combine: concat };
    }
  }
}

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Assigns every target from a tensor source (safetensors, PyTorch checkpoint, shards), reading one tensor at a time. Before anything is assigned,
 * every missing, unexpected and misshaped tensor is collected and reported in one WeightsError, so a wrong
 * checkpoint is diagnosed in one go. BatchNorm's `num_batches_tracked` counters (unused at inference and by
 * clipkit's training) and transformers' `position_ids` buffers are skipped; F16, BF16 and F64 tensors are
 * widened or narrowed to float32.
 */
export async function loadStateDict(targets: ReadonlyMap<string, tf.Variable | WeightTarget>, file: TensorSource, options: LoadStateDictOptions = {}): Promise<void> {
  const problems: string[] = [];
  const used = new Set<string>();
  const plans: { plan: Plan; target: WeightTarget }[] = [];
  for (const [name, raw] of targets) {
    const target = asTarget(raw);
    let plan: Plan;
    if (!options.storage) {
      plan = { target: name, parts: [{ name, shape: target.shape }], combine: ([v]) => v };
    } else {
      const storage = options.storage(name);
      if (!storage) {
        if (target.optional) continue;
        problems.push(`  - not storable: "${name}" has no name in this Hugging Face layout`);
        continue;
      }
      plan = hfPlan(name, target.shape, storage);
    }
    const present = plan.parts.filter((part) => file.entries.has(part.name));
    if (present.length === 0 && target.optional) continue;
    for (const part of plan.parts) {
      used.add(part.name);
      const entry = file.entries.get(part.name);
      const forTarget = part.name === name ? '' : ` (for "${name}")`;
      if (!entry) problems.push(`  - missing: "${part.name}"${forTarget}, expected shape ${fmt(part.shape)}`);
      else if (!sameShape(entry.shape, part.shape))
        problems.push(`  - misshaped: "${part.name}"${forTarget}: the model expects ${fmt(part.shape)}, the file has ${fmt(entry.shape)}`);
      else if (!FLOAT_DTYPES.has(entry.dtype)) problems.push(`  - wrong dtype: "${part.name}" is ${entry.dtype}; weights must be F32, F16, BF16 or F64`);
    }
    plans.push({ plan, target });
  }
  for (const [name, entry] of file.entries) {
    if (used.has(name) || name.endsWith('.num_batches_tracked') || isHfPositionIds(name) || options.ignore?.(name)) continue;
    problems.push(`  - unexpected: "${name}" ${fmt(entry.shape)} is not part of the model`);
  }
  if (problems.length > 0) {
    throw new WeightsError(
      `${file.path}: the weights do not fit the model (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.join('\n')}\n` +
        'Check that the model config matches the checkpoint (tower sizes, layers, vocabulary, context length).',
    );
  }
  for (const { plan, target } of plans) {
    const parts: Float32Array[] = [];
    for (const part of plan.parts) parts.push(toFloat32(await file.read(part.name)));
    target.set(plan.combine(parts));
  }
}
