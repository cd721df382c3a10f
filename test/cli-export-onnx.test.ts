import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync } from './checkpoints/fixtures.js';
import { MODELS } from './clip/fixtures.js';

// `clipkit export-onnx --out` is held to what `clipkit convert` does: a new or empty folder, a non-empty one only
// with --force, never the model being read (also through a symbolic link), written through a staging folder.
const EXPORTED = ['clipkit.json', 'merges.txt', 'model.safetensors', 'preprocessor_config.json', 'text.onnx', 'vision.onnx', 'vocab.json'];

/** A copy of a fixture model in a fresh folder: a bug here must not destroy the shared fixture. */
function modelCopy(): string {
  const model = join(mkdtempSync(join(tmpdir(), 'clipkit-export-src-')), 'model');
  cpSync(`${MODELS}/vit-b-tiny-quickgelu`, model, { recursive: true });
  return model;
}

const freshOut = () => join(mkdtempSync(join(tmpdir(), 'clipkit-export-')), 'out');
const exportOnnx = (model: string, out: string, ...args: string[]) => runCliAsync(['export-onnx', '--model', model, '--out', out, ...args]);
const contents = (dir: string) => Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name)).toString('base64')]));

describe('clipkit export-onnx --out', () => {
  it('refuses a non-empty folder unless --force, which replaces its contents, leaving nothing beside it', async () => {
    const model = modelCopy();
    const out = freshOut();
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const refused = await exportOnnx(model, out);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`clipkit: --out ${out} is not empty: give a new or empty folder, or pass --force to replace its contents\n`);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    const forced = await exportOnnx(model, out, '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(EXPORTED);
    // The log names the files where they end up, not in the staging folder.
    expect(forced.stdout).toContain(`wrote ${join(out, 'vision.onnx')} (`);
    expect(forced.stdout).not.toContain('staging');
    expect(readdirSync(dirname(out))).toEqual(['out']);
  });

  it('never writes over the model it reads, even with --force and through a symbolic link, leaving it byte for byte', async () => {
    const model = modelCopy();
    const before = contents(model);
    const link = join(dirname(model), 'link');
    symlinkSync(model, link);
    for (const out of [model, dirname(model), link]) {
      const run = await exportOnnx(model, out, '--force');
      expect(run.status, out).toBe(1);
      expect(run.stderr).toBe(`clipkit: --out ${out} holds the model being read (${model}); write to another folder\n`);
    }
    // The model named through the link, written to the folder itself.
    const viaLink = await exportOnnx(link, model, '--force');
    expect(viaLink.status).toBe(1);
    expect(viaLink.stderr).toMatch(/holds the model being read/);
    expect(contents(model)).toEqual(before);
    expect(readdirSync(dirname(model)).sort()).toEqual(['link', 'model']);
  });

  it('refuses an --out that is a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'clipkit-export-')), 'file');
    writeFileSync(file, 'x');
    const run = await exportOnnx(modelCopy(), file, '--force');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`clipkit: --out ${file} is a file; give a folder to write\n`);
  });
});
