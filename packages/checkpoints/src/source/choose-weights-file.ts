import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../checkpoint-error.js';

/**
 * Weight files known by name, in order of preference, as the hub client picks them (model.safetensors, which
 * core reads itself, comes before all): safetensors before pickles (nothing to unpickle), a whole file before
 * shards of the same format.
 */
const NAMED_WEIGHTS = ['model.safetensors.index.json', 'open_clip_model.safetensors', 'open_clip_pytorch_model.bin', 'pytorch_model.bin', 'pytorch_model.bin.index.json'];

/** Other checkpoints: open_clip's training checkpoints (epoch_N.pt), OpenAI's archives (ViT-B-32.pt), any torch.save file. */
const OTHER_WEIGHTS = /\.(?:pt|pth|bin)$/;
const EPOCH = /^epoch_(\d+)\.pt$/;

/** The weights file of a folder and why it was chosen when there were several. */
export interface ChosenWeights {
  file: string;
  /** Set when the folder held other weight files: which, and why this one won. */
  note?: string;
}

/** The weights file to read in a folder, or undefined when it holds none clipkit knows. */
export function chooseWeightsFile(dir: string): ChosenWeights | undefined {
  const files = readdirSync(dir).sort();
  const named = NAMED_WEIGHTS.filter((f) => files.includes(f));
  const others = files.filter((f) => OTHER_WEIGHTS.test(f) && !named.includes(f));
  const all = [...named, ...others];
  if (all.length === 0) return undefined;
  const because = (file: string, why: string) => ({
    file: join(dir, file),
    note: all.length > 1 ? `${dir}: weights from ${file} (${why}); not read: ${all.filter((f) => f !== file).join(', ')}` : undefined,
  });
  if (named.length > 0) return because(named[0], 'safetensors before pickles and whole files before shards, as the hub client chooses');
  const epochs = others.filter((f) => EPOCH.test(f)).sort((a, b) => Number(EPOCH.exec(b)![1]) - Number(EPOCH.exec(a)![1]));
  if (epochs.length > 0) return because(epochs[0], `the latest of ${epochs.length} open_clip training checkpoint${epochs.length > 1 ? 's' : ''}`);
  if (others.length === 1) return { file: join(dir, others[0]) };
  throw new CheckpointError(dir, `holds several checkpoints (${others.join(', ')}) and none is known by name: give the file itself, e.g. ${join(dir, others[0])}`);
}
