import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../checkpoint-error.js';
import { chooseWeightsFile } from './choose-weights-file.js';

function folder(...files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'clipkit-choose-'));
  for (const file of files) writeFileSync(join(dir, file), '');
  return dir;
}

describe('chooseWeightsFile', () => {
  it('takes the only weights file without a note, and nothing from a folder without one', () => {
    const dir = folder('config.json', 'pytorch_model.bin', 'inputs.safetensors');
    expect(chooseWeightsFile(dir)).toEqual({ file: join(dir, 'pytorch_model.bin'), note: undefined });
    expect(chooseWeightsFile(folder('config.json', 'README.md', 'outputs.safetensors'))).toBeUndefined();
  });

  it('prefers safetensors to pickles and whole files to shards, and says so', () => {
    const all = ['pytorch_model.bin.index.json', 'pytorch_model.bin', 'open_clip_pytorch_model.bin', 'open_clip_model.safetensors', 'model.safetensors.index.json'];
    for (let i = 0; i < all.length; i++) {
      const present = all.slice(i);
      const dir = folder(...present, 'ViT-B-32.pt');
      const chosen = chooseWeightsFile(dir)!;
      expect(chosen.file).toBe(join(dir, all[all.length - 1]));
      expect(chosen.note).toBe(
        `${dir}: weights from ${all[all.length - 1]} (safetensors before pickles and whole files before shards, as the hub client chooses); not read: ${[...present.slice(0, -1).reverse(), 'ViT-B-32.pt'].join(', ')}`,
      );
    }
  });

  it("takes the latest of open_clip's training checkpoints by epoch number, not by name", () => {
    const dir = folder('epoch_2.pt', 'epoch_10.pt', 'epoch_9.pt', 'model_config.json');
    expect(chooseWeightsFile(dir)).toEqual({
      file: join(dir, 'epoch_10.pt'),
      note: `${dir}: weights from epoch_10.pt (the latest of 3 open_clip training checkpoints); not read: epoch_2.pt, epoch_9.pt`,
    });
  });

  it('refuses to guess between checkpoints it does not know by name', () => {
    const dir = folder('a.pt', 'b.bin');
    expect(() => chooseWeightsFile(dir)).toThrow(CheckpointError);
    expect(() => chooseWeightsFile(dir)).toThrow(`holds several checkpoints (a.pt, b.bin) and none is known by name: give the file itself, e.g. ${join(dir, 'a.pt')}`);
  });
});
