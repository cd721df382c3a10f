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

/** Where `clipkit index` writes and `search` and `serve` read when no --db is given: a folder in the working directory. */
const DEFAULT_DB = 'clipkit-index';

/** --db PATH: the image index (a LanceDB folder). */
export function dbOption(): Option {
  return new Option('--db <path>', 'the image index, a folder').default(DEFAULT_DB);
}

/** Parses a TCP port: 0 (any free port) to 65535. */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 (any free port) to 65535');
  return n;
}

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[]) => [...previous, value];

/** --templates FILE | openai: the prompts to classify with; without it (and without --template), the model's own, else OpenAI's. */
export function templatesOption(): Option {
  return new Option(
    '--templates <file>',
    'prompts, one per line with {} for the class name, or "openai" for OpenAI\'s 80 ImageNet templates (default: the model\'s own prompts when it records them, else "This is a photo of {}." for SigLIP models, else OpenAI\'s)',
  );
}
