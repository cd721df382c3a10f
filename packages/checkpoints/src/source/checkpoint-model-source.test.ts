import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError, UnsafePickleError } from '../checkpoint-error.js';
import { CHECKPOINTS } from '../checkpoint-fixtures.test-support.js';
import { checkpointModelSource } from './checkpoint-model-source.js';

const log = () => undefined;
const read = (path: string) => checkpointModelSource.read!(path, { log });

/** A temporary folder with copies of fixture files (`to` names them anew). */
function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'clipkit-source-'));
  for (const [to, from] of Object.entries(files)) copyFileSync(`${CHECKPOINTS}/${from}`, join(dir, to));
  return dir;
}

describe('checkpointModelSource', () => {
  it.each([
    ['openai-jit-vit', 'model.pt', 'model.pt', 'open_clip', 50],
    ['openai-jit-rn', 'model.pt', 'model.pt', 'open_clip', 159],
    ['hf-bin', 'pytorch_model.bin', 'config.json', 'huggingface', 48],
    ['hf-sharded', 'model.safetensors.index.json', 'config.json', 'huggingface', 46],
    ['open-clip-hub', 'open_clip_pytorch_model.bin', 'open_clip_config.json', 'open_clip', 38],
    ['open-clip-hub-safetensors', 'open_clip_model.safetensors', 'open_clip_config.json', 'open_clip', 38],
    ['open-clip-train', 'epoch_3.pt', 'model_config.json', 'open_clip', 38],
  ])('reads %s: weights %s, config %s (%s), %i weights', async (folder, weights, config, layout, count) => {
    for (const path of [`${CHECKPOINTS}/${folder}`, `${CHECKPOINTS}/${folder}/${weights}`]) {
      const found = (await read(path))!;
      expect([found.weightsFile, found.configFile, found.layout]).toEqual([`${CHECKPOINTS}/${folder}/${weights}`, `${CHECKPOINTS}/${folder}/${config}`, layout]);
      const source = await found.openWeights();
      expect(source.entries.size).toBe(count);
      await source.close();
    }
  });

  it("drops OpenAI's three int64 scalars from an archive and says that the architecture was inferred", async () => {
    const found = (await read(`${CHECKPOINTS}/openai-jit-vit`))!;
    expect(found.notes).toHaveLength(1);
    expect(found.notes[0]).toMatch(/model\.pt: no config beside it; architecture read from the weight shapes as OpenAI's build_model does: \{"embed_dim":32,/);
    const source = await found.openWeights();
    for (const name of ['input_resolution', 'context_length', 'vocab_size']) expect(source.entries.has(name)).toBe(false);
    await expect(source.read('vocab_size')).rejects.toThrow(CheckpointError);
    expect((await source.read('logit_scale')).dtype).toBe('F32');
    await source.close();
  });

  it('leaves alone what it does not read', async () => {
    expect(await read(`${CHECKPOINTS}/f16/README.md`)).toBeUndefined();
    expect(await read(join(tmpdir(), 'no-such-model'))).toBeUndefined();
    expect(await read(mkdtempSync(join(tmpdir(), 'clipkit-empty-')))).toBeUndefined();
  });

  it('asks for the config its weights need, by the names they hold', async () => {
    const hf = folderWith({ 'pytorch_model.bin': 'hf-bin/pytorch_model.bin' });
    await expect(read(hf)).rejects.toThrow(`holds a transformers checkpoint (vision_model.*, text_model.*) but ${hf} has no config.json`);
    const trained = folderWith({ 'epoch_3.pt': 'open-clip-train/epoch_3.pt' });
    await expect(read(trained)).rejects.toThrow(/has OpenAI\/open_clip names but no config beside it: put the open_clip model config .* as model_config\.json/);
  });

  it('refuses every malicious file, given directly or as the weights of a model folder, creating nothing', async () => {
    const files = readdirSync(`${CHECKPOINTS}/malicious`).filter((f) => f.endsWith('.bin'));
    expect(files).toHaveLength(7);
    for (const file of files) {
      await expect(read(`${CHECKPOINTS}/malicious/${file}`), file).rejects.toThrow(CheckpointError);
      const dir = folderWith({ 'pytorch_model.bin': `malicious/${file}`, 'open_clip_config.json': 'open-clip-hub/open_clip_config.json' });
      await expect(read(dir), file).rejects.toThrow(CheckpointError);
    }
    await expect(read(`${CHECKPOINTS}/malicious/evil-system.bin`)).rejects.toThrow(UnsafePickleError);
    for (const marker of ['clipkit-evil-system.marker', 'clipkit-evil-eval.marker']) expect(existsSync(marker)).toBe(false);
  });
});
