import { InvalidArgumentError, Option } from 'commander';

/** Parses an option value that must be a whole number >= 1. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** --batch-size N: images or texts per encoder call. */
export function batchSizeOption(): Option {
  return new Option('--batch-size <n>', 'images or texts per encoder call').argParser(positiveInteger).default(32);
}

/** --top K: labels to show per image. */
export function topOption(): Option {
  return new Option('--top <k>', 'labels to show per image').argParser(positiveInteger).default(5);
}

/** --model: every way a command takes a model (resolved by inference/open-model.ts). */
export function modelOption(): Option {
  return new Option(
    '--model <ref>',
    'the model: a folder (clipkit, open_clip or Hugging Face layout; PyTorch .bin, sharded, open_clip training or OpenAI TorchScript checkpoints), ' +
      'a weights file (.safetensors, .bin, .pt), or a hub name hf:ORG/NAME[@REVISION] (hf-hub:ORG/NAME), fetched into the huggingface_hub cache',
  ).makeOptionMandatory();
}

/** --backend: overrides the runtime the model directory's config names. */
export function backendOption(): Option {
  return new Option(
    '--backend <type>',
    "runtime of the towers (default: onnxruntime when installed, through the model's ONNX export cached in ~/.cache/clipkit/onnx; tfjs for a tower without one)",
  ).choices(['tfjs', 'onnxruntime']);
}
