import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointModelSource } from '@clipkit/checkpoints';
import { ClipkitError, loadClip, readSafetensors } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { PLUGINS } from '../clip/fixtures.js';
import { CHECKPOINT_MODELS, CHECKPOINTS, expectReference, modelOutputs } from './fixtures.js';

// Every model of fixtures/checkpoints loaded through loadClip with the checkpoints' model source, as a folder and
// as its weights file given directly, reproduces the folder's outputs.safetensors (OpenAI's float32 model with
// exactly those weights): a wrong name, a float16 tensor decoded as something else, a misread view or a wrong
// inferred architecture moves them far past the tolerance (the low-precision weights alone move them by 12-58x it).
const sources = [checkpointModelSource];

describe('the models of fixtures/checkpoints through loadClip', () => {
  it.each(CHECKPOINT_MODELS)('%s (folder, and %s given directly)', async (folder, weights) => {
    const reference = await readSafetensors(`${CHECKPOINTS}/${folder}/outputs.safetensors`);
    for (const ref of [`${CHECKPOINTS}/${folder}`, `${CHECKPOINTS}/${folder}/${weights}`]) {
      const logged: string[] = [];
      const loaded = await loadClip(ref, PLUGINS, { sources, log: (m) => logged.push(m) });
      expect(loaded.directory.weightsFile).toBe(`${CHECKPOINTS}/${folder}/${weights}`);
      if (folder.startsWith('openai-jit')) expect(logged.some((m) => m.includes("architecture read from the weight shapes as OpenAI's build_model does"))).toBe(true);
      expectReference(ref.slice(CHECKPOINTS.length + 1), await modelOutputs(loaded.model, `${CHECKPOINTS}/${folder}/inputs.safetensors`), reference);
      await loaded.dispose();
    }
  });

  it('says which weights it read when a folder holds several, and reads that one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-several-'));
    for (const file of ['open_clip_config.json', 'open_clip_pytorch_model.bin']) copyFileSync(`${CHECKPOINTS}/open-clip-hub/${file}`, join(dir, file));
    copyFileSync(`${CHECKPOINTS}/open-clip-hub-safetensors/open_clip_model.safetensors`, join(dir, 'open_clip_model.safetensors'));
    copyFileSync(`${CHECKPOINTS}/open-clip-train/epoch_3.pt`, join(dir, 'epoch_3.pt'));
    const logged: string[] = [];
    const loaded = await loadClip(dir, PLUGINS, { sources, log: (m) => logged.push(m) });
    expect(loaded.directory.weightsFile).toBe(join(dir, 'open_clip_model.safetensors'));
    expect(logged).toContain(
      `clipkit: ${dir}: weights from open_clip_model.safetensors (safetensors before pickles and whole files before shards, as the hub client chooses); not read: open_clip_pytorch_model.bin, epoch_3.pt`,
    );
    expectReference(
      'several weight files',
      await modelOutputs(loaded.model, `${CHECKPOINTS}/open-clip-hub/inputs.safetensors`),
      await readSafetensors(`${CHECKPOINTS}/open-clip-hub/outputs.safetensors`),
    );
    await loaded.dispose();
  });
});

describe('the malicious files of fixtures/checkpoints through loadClip', () => {
  it.each(readdirSync(`${CHECKPOINTS}/malicious`).filter((f) => f.endsWith('.bin')))('%s is refused with a ClipkitError naming it', async (file) => {
    const path = `${CHECKPOINTS}/malicious/${file}`;
    await expect(loadClip(path, PLUGINS, { sources, log: () => undefined })).rejects.toThrow(ClipkitError);
    await expect(loadClip(path, PLUGINS, { sources, log: () => undefined })).rejects.toThrow(path);
    // The pickles that would run code create these in the working directory (checkpoint-cli runs them in empty ones).
    for (const marker of ['clipkit-evil-system.marker', 'clipkit-evil-eval.marker']) expect(existsSync(marker)).toBe(false);
  });
});
