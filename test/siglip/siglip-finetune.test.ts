import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HostTensor, readSafetensors } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../clip/fixtures.js';

// Fine-tuning a SigLIP model from its Hugging Face folder (issue 13's last check): train.init on siglip-tiny,
// a run interrupted and resumed, then the checkpoint saved back in the Hugging Face layout. Truths: a resumed
// run equals the uninterrupted one bit for bit (training is seeded and resume restores the optimiser), and
// the HF folder embeds what the checkpoint embeds (the same float32 weights under transformers' names;
// bound 1e-6 x max(1, max|ref|), float32 rounding of two graphs of the same maths).
const SIGLIP_TINY = `${process.env.CLIPKIT_SHARED}/fixtures/models/siglip-tiny`;
const root = mkdtempSync(join(tmpdir(), 'clipkit-siglip-finetune-'));

function clipkit(...args: string[]): string {
  const run = runCli(args);
  expect(run.status, run.stderr).toBe(0);
  return run.stderr;
}

function config(name: string): string {
  const file = join(root, `${name}.json`);
  // No model section: the model, its SentencePiece tokenizer and its squash-to-32 px transform come from the folder.
  writeFileSync(
    file,
    JSON.stringify({ data: { type: 'synthetic-shapes', evalSize: 64 }, train: { init: SIGLIP_TINY, batchSize: 16, steps: 4, warmupSteps: 1, lr: 1e-3, seed: 3 } }),
  );
  return file;
}

function maxRelativeError(a: HostTensor, b: HostTensor): number {
  let error = 0;
  let scale = 1;
  for (const [i, ref] of (b.data as Float32Array).entries()) {
    error = Math.max(error, Math.abs(Number(a.data[i]) - ref));
    scale = Math.max(scale, Math.abs(ref));
  }
  return error / scale;
}

describe('fine-tuning siglip-tiny from its Hugging Face folder', () => {
  it('trains, resumes to the uninterrupted weights, and saves back to the Hugging Face layout', async () => {
    const straight = join(root, 'straight');
    const resumed = join(root, 'resumed');
    clipkit('train', '--config', config('siglip-finetune'), '--out', straight);
    clipkit('train', '--config', config('siglip-finetune'), '--out', resumed, '--max-steps', '2');
    expect(clipkit('train', '--resume', '--out', resumed)).toContain('resumed from');
    const [a, b] = [readFileSync(join(straight, 'checkpoint', 'model.safetensors')), readFileSync(join(resumed, 'checkpoint', 'model.safetensors'))];
    expect(a.equals(b)).toBe(true);
    // A model with a logit bias trains with the sigmoid loss unless the config says otherwise: the bias moves too.
    expect(JSON.parse(readFileSync(join(straight, 'checkpoint', 'clipkit.json'), 'utf8')).loss.type).toBe('siglip');
    // The weights moved: this was training, not a copy.
    const [initial, trained] = [await readSafetensors(join(SIGLIP_TINY, 'model.safetensors')), await readSafetensors(join(straight, 'checkpoint', 'model.safetensors'))];
    expect(initial.size).toBeGreaterThan(0);
    expect(trained.get('logit_bias')!.data[0]).not.toBe(initial.get('logit_bias')!.data[0]);

    const hf = join(root, 'hf');
    clipkit('convert', '--model', join(straight, 'checkpoint'), '--out', hf, '--layout', 'hf');
    const hfConfig = JSON.parse(readFileSync(join(hf, 'config.json'), 'utf8'));
    expect(hfConfig.model_type).toBe('siglip');
    expect(JSON.parse(readFileSync(join(hf, 'preprocessor_config.json'), 'utf8')).image_processor_type).toBe('SiglipImageProcessor');
    const texts = join(root, 'texts.txt');
    writeFileSync(texts, 'a red circle\na blue square on the left\n');
    const image = `${process.env.CLIPKIT_SHARED}/fixtures/preprocess/photo_640x480.png`;
    const embeds = async (model: string, name: string) => {
      const out = join(root, `${name}.safetensors`);
      clipkit('embed', '--model', model, '--images', image, '--texts', texts, '--out', out, '--backend', 'tfjs');
      return readSafetensors(out);
    };
    const [fromCheckpoint, fromHf] = [await embeds(join(straight, 'checkpoint'), 'checkpoint'), await embeds(hf, 'hf')];
    for (const name of ['image_embeds', 'text_embeds', 'logits_per_image']) {
      expect(maxRelativeError(fromHf.get(name)!, fromCheckpoint.get(name)!), name).toBeLessThanOrEqual(1e-6);
    }
  });
});
