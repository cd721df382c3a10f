import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClip, readSafetensors } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPARED, FIXTURE_MODELS, fixtureInputs, MODELS, PLUGINS, parityError, quiet, runCli } from './fixtures.js';

// Parity of whole CLIP models with OpenAI's clip/model.py on the reference fixtures, through the API and
// through `clipkit embed`, at the fixtures' tolerance (RELATIVE_TOLERANCE). Measured errors are printed for the record.
const measured: string[] = [];

afterAll(() => {
  console.log(`max|a - ref| / max(1, max|ref|) (API on tfjs backend ${tf.getBackend()}):\n${measured.join('\n')}`);
});

describe.each(FIXTURE_MODELS)('%s', (dir, reference) => {
  it('matches the reference through the API (batch 3 of 4) and leaks no tensors', async () => {
    const loaded = await loadClip(`${MODELS}/${dir}`, PLUGINS, quiet);
    const { pixelValues, inputIds, outputs } = await fixtureInputs(reference);
    const before = tf.memory().numTensors;
    const imageEmbeds = await loaded.model.encodeImage(pixelValues, { batchSize: 3 });
    const textEmbeds = await loaded.model.encodeText(inputIds, { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before + 2);
    const { logitsPerImage, logitsPerText } = loaded.model.logits(imageEmbeds, textEmbeds);
    const got = { image_embeds: imageEmbeds, text_embeds: textEmbeds, logits_per_image: logitsPerImage, logits_per_text: logitsPerText };
    for (const name of COMPARED) {
      const { error, bound } = parityError(got[name].dataSync(), outputs.get(name)!);
      measured.push(`  API  ${dir.padEnd(24)} ${name.padEnd(16)} ${(error / (bound / 1e-4)).toExponential(2)}`);
      expect(error, name).toBeLessThanOrEqual(bound);
    }
    tf.dispose([imageEmbeds, textEmbeds, logitsPerImage, logitsPerText, pixelValues, inputIds]);
    await loaded.dispose();
  });

  it('matches the reference through `clipkit embed --pixel-values --input-ids`', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'clipkit-embed-')), 'embeds.safetensors');
    const inputs = `${MODELS}/${reference}/inputs.safetensors`;
    const run = runCli(['embed', '--model', `${MODELS}/${dir}`, '--pixel-values', inputs, '--input-ids', inputs, '--out', out, '--batch-size', '3']);
    expect(run.stderr + run.stdout).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const written = await readSafetensors(out);
    const { outputs } = await fixtureInputs(reference);
    for (const name of COMPARED) {
      const { error, bound } = parityError(written.get(name)!.data as Float32Array, outputs.get(name)!);
      measured.push(`  CLI  ${dir.padEnd(24)} ${name.padEnd(16)} ${(error / (bound / 1e-4)).toExponential(2)}`);
      expect(error, name).toBeLessThanOrEqual(bound);
    }
  });
});
