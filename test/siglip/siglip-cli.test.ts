import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HostTensor, readSafetensors, SafetensorsFile, writeSafetensors } from '@clipkit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../clip/fixtures.js';

// The clipkit command on a Hugging Face SigLIP folder. Truth: transformers' SiglipModel on siglip-tiny
// (fixtures/models/siglip-tiny: its inputs, their outputs and the texts its input_ids were tokenized from).
// Bound: max|a - ref| <= 2e-5 x max(1, max|ref|), the bound for a float32 port (the README measures the
// reference's own float32 error at 5.1e-7 of max|ref|, and exact-erf GELU instead of the tanh form at ~1.5e-4).
const SIGLIP_TINY = `${process.env.CLIPKIT_SHARED}/fixtures/models/siglip-tiny`;
const TOLERANCE = 2e-5;
const COMPARED = ['image_embeds', 'text_embeds', 'logits_per_image', 'logits_per_text'] as const;
const IMAGES = ['photo_640x480.png', 'portrait_300x500.png', 'gray_200x150.jpg', 'tiny_98x61.png'].map((f) => `${process.env.CLIPKIT_SHARED}/fixtures/preprocess/${f}`);
const LABELS = ['cat', 'dog', 'car'];

const root = mkdtempSync(join(tmpdir(), 'clipkit-siglip-cli-'));
const report: string[] = [];
let references: Map<string, HostTensor>;
let texts: string[];

beforeAll(async () => {
  references = await readSafetensors(`${SIGLIP_TINY}/outputs.safetensors`);
  const inputs = await SafetensorsFile.open(`${SIGLIP_TINY}/inputs.safetensors`);
  texts = JSON.parse(inputs.metadata.texts) as string[];
  await inputs.close();
  return () => console.log(`siglip-tiny through the clipkit command, max|err| / max(1, max|ref|) (bound ${TOLERANCE.toExponential()}):\n${report.join('\n')}`);
});

/** Runs clipkit and expects it to succeed. */
function clipkit(...args: string[]): string {
  const run = runCli(args);
  expect(run.stderr).not.toMatch(/Error/);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

/** Rows `rows` of a [N, W] reference tensor. */
function referenceRows(name: string, rows: readonly number[]): HostTensor {
  const { shape, data } = references.get(name)!;
  const width = shape[1];
  return { dtype: 'F32', shape: [rows.length, width], data: Float32Array.from(rows.flatMap((r) => [...(data as Float32Array).subarray(r * width, (r + 1) * width)])) };
}

/** Checks a written tensor against its reference at TOLERANCE and records the error. */
function expectClose(written: Map<string, HostTensor>, name: string, reference: HostTensor, what: string): void {
  const got = written.get(name)!;
  expect(got.shape, `${what} ${name}`).toEqual(reference.shape);
  let error = 0;
  let scale = 1;
  for (const [i, ref] of (reference.data as Float32Array).entries()) {
    error = Math.max(error, Math.abs(Number(got.data[i]) - ref));
    scale = Math.max(scale, Math.abs(ref));
  }
  report.push(`  ${what} ${name} ${(error / scale).toExponential(2)}`);
  expect(error / scale, `${what} ${name}`).toBeLessThanOrEqual(TOLERANCE);
}

/** clipkit embed on the fixture's own pixel_values and input_ids (or its texts); the written tensors. */
async function embedFixture(model: string, what: string, ...textArgs: string[]): Promise<Map<string, HostTensor>> {
  const out = join(root, `${what}.safetensors`);
  const textInput = textArgs.length > 0 ? textArgs : ['--input-ids', `${SIGLIP_TINY}/inputs.safetensors`];
  clipkit('embed', '--model', model, '--pixel-values', `${SIGLIP_TINY}/inputs.safetensors`, ...textInput, '--out', out);
  return readSafetensors(out);
}

describe('clipkit embed on a SigLIP folder', () => {
  it("writes the reference image_embeds, text_embeds and both logits of the fixture's inputs", async () => {
    const written = await embedFixture(SIGLIP_TINY, 'tfjs');
    for (const name of COMPARED) expectClose(written, name, references.get(name)!, 'tfjs');
  });

  it("tokenizes the fixture's texts as transformers did (--texts), to the reference text_embeds", async () => {
    const file = join(root, 'texts.txt');
    writeFileSync(file, `${texts.join('\n')}\n`);
    const written = await embedFixture(SIGLIP_TINY, 'tfjs-texts', '--texts', file);
    expectClose(written, 'text_embeds', references.get('text_embeds')!, 'tfjs --texts');
  });

  it("pads --input-ids rows cut short with SigLIP's pad id (1), to the full rows' text_embeds", async () => {
    // Rows 0, 1, 3 and 4 hold only padding after column 9; row 2 (the long caption) fills all 16.
    const rows = [0, 1, 3, 4];
    const ids = (await readSafetensors(`${SIGLIP_TINY}/inputs.safetensors`)).get('input_ids')!;
    const short = BigInt64Array.from(rows.flatMap((r) => [...(ids.data as BigInt64Array).subarray(r * 16, r * 16 + 9)]));
    expect(short.every((id, i) => i % 9 < 8 || id === 1n)).toBe(true); // column 8 is padding or eos already
    const file = join(root, 'short-ids.safetensors');
    await writeSafetensors(file, new Map([['input_ids', { dtype: 'I64' as const, shape: [rows.length, 9], data: short }]]), {});
    const out = join(root, 'short.safetensors');
    clipkit('embed', '--model', SIGLIP_TINY, '--input-ids', file, '--out', out);
    expectClose(await readSafetensors(out), 'text_embeds', referenceRows('text_embeds', rows), 'tfjs short --input-ids');
  });
});

describe('clipkit zero-shot and eval on a SigLIP folder', () => {
  it('reports each label\'s sigmoid(exp(t) cos + b) of "This is a photo of {}.", transformers\' SigLIP default, not a softmax', async () => {
    // The same prompts through clipkit embed: logits_per_image [images, labels], bias included.
    const prompts = join(root, 'prompts.txt');
    writeFileSync(prompts, LABELS.map((label) => `This is a photo of ${label}.\n`).join(''));
    const out = join(root, 'prompts.safetensors');
    clipkit('embed', '--model', SIGLIP_TINY, '--images', ...IMAGES, '--texts', prompts, '--out', out);
    const logits = (await readSafetensors(out)).get('logits_per_image')!;
    const file = await SafetensorsFile.open(out);
    const images = JSON.parse(file.metadata.images) as string[];
    await file.close();
    const results = JSON.parse(clipkit('zero-shot', '--model', SIGLIP_TINY, '--labels', LABELS.join(','), '--top', '3', '--json', ...IMAGES)) as {
      image: string;
      predictions: { label: string; probability: number }[];
    }[];
    let error = 0;
    for (const { image, predictions } of results) {
      const row = images.indexOf(image);
      for (const { label, probability } of predictions) {
        const expected = 1 / (1 + Math.exp(-Number(logits.data[row * LABELS.length + LABELS.indexOf(label)])));
        error = Math.max(error, Math.abs(probability - expected));
      }
      // Independent probabilities: a softmax would sum to 1.
      expect(Math.abs(predictions.reduce((sum, p) => sum + p.probability, 0) - 1)).toBeGreaterThan(1e-3);
    }
    report.push(`  zero-shot probability vs sigmoid(embed's logits_per_image) ${error.toExponential(2)}`);
    expect(results).toHaveLength(IMAGES.length);
    expect(error).toBeLessThanOrEqual(1e-5);
  });

  it('eval --images scores a class folder with the same prompts: top-1 = the share of images whose zero-shot top label is their folder', () => {
    const data = join(root, 'labelled');
    const classes = ['cat', 'dog'];
    const files = IMAGES.map((image, i) => {
      const folder = join(data, classes[i % 2]);
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `${i}.${image.split('.').at(-1)}`);
      cpSync(image, file);
      return { file, label: classes[i % 2] };
    });
    const zeroShot = JSON.parse(clipkit('zero-shot', '--model', SIGLIP_TINY, '--labels', classes.join(','), '--top', '1', '--json', ...files.map((f) => f.file))) as {
      image: string;
      predictions: { label: string }[];
    }[];
    const expected = files.filter(({ file, label }) => zeroShot.find((r) => r.image === file)!.predictions[0].label === label).length / files.length;
    const evaluation = JSON.parse(clipkit('eval', '--model', SIGLIP_TINY, '--images', data, '--confusion', join(root, 'confusion.svg'), '--json')) as {
      zeroShot: { count: number; top1: number };
    };
    expect(evaluation.zeroShot).toMatchObject({ count: files.length, top1: expected });
  });
});

describe('clipkit export-onnx and convert of a SigLIP folder', () => {
  it('exports a folder that runs on onnxruntime with its own copy of the tokenizer, to the reference outputs', async () => {
    const exported = join(root, 'onnx-first');
    clipkit('export-onnx', '--model', SIGLIP_TINY, '--out', exported);
    const config = JSON.parse(readFileSync(join(exported, 'clipkit.json'), 'utf8'));
    expect([config.backend.type, config.tokenizer]).toEqual(['onnxruntime', { type: 'siglip', path: '.' }]);
    // Moved, the folder still finds its tokenizer: it names no file outside itself.
    const moved = join(root, 'onnx-moved');
    renameSync(exported, moved);
    const written = await embedFixture(moved, 'onnxruntime');
    for (const name of COMPARED) expectClose(written, name, references.get(name)!, 'onnxruntime');
    const file = join(root, 'texts.txt');
    writeFileSync(file, `${texts.join('\n')}\n`);
    expectClose(await embedFixture(moved, 'onnxruntime-texts', '--texts', file), 'text_embeds', references.get('text_embeds')!, 'onnxruntime --texts');
  });

  it.each(['hf', 'clipkit'] as const)('converts to the %s layout, which gives the reference outputs', async (layout) => {
    const converted = join(root, `converted-${layout}`);
    clipkit('convert', '--model', SIGLIP_TINY, '--out', converted, '--layout', layout);
    const written = await embedFixture(converted, `converted-${layout}`);
    for (const name of COMPARED) expectClose(written, name, references.get(name)!, `convert --layout ${layout}`);
  });
});
