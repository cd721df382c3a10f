import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError, ConfigError } from '@clipkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreprocessorConfig } from './load-preprocessor-config.js';

const HF_MODEL = `${process.env.CLIPKIT_SHARED}/fixtures/models/hf/vit-b-tiny-quickgelu/`;
const SIGLIP_MODEL = `${process.env.CLIPKIT_SHARED}/fixtures/models/siglip-tiny/`;

describe('loadPreprocessorConfig', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clipkit-preprocessor-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads preprocessor_config.json from a model directory', async () => {
    const transform = await loadPreprocessorConfig(HF_MODEL, 32);
    expect(transform.options).toMatchObject({ size: 32, cropSize: { height: 32, width: 32 } });
  });

  it("falls back to OpenAI's _transform(imageSize) without one", async () => {
    const transform = await loadPreprocessorConfig(dir, 64);
    expect(transform.options).toMatchObject({ size: 64, cropSize: { height: 64, width: 64 }, rescaleFactor: 1 / 255 });
  });

  it("rejects a crop the model's image size cannot take", async () => {
    await expect(loadPreprocessorConfig(HF_MODEL, 224)).rejects.toThrow(ConfigError);
    await expect(loadPreprocessorConfig(HF_MODEL, 224)).rejects.toThrow(/preprocessor_config\.json[\s\S]*crop_size: must match the model's image size 224x224/);
  });

  it("names size, not crop_size, when a SigLIP config's exact resize does not fit the model", async () => {
    await expect(loadPreprocessorConfig(SIGLIP_MODEL, 224)).rejects.toThrow(/preprocessor_config\.json[\s\S]*size: must match the model's image size 224x224/);
    await expect(loadPreprocessorConfig(SIGLIP_MODEL, 224)).rejects.not.toThrow(/crop_size/);
  });

  it('names a file that is not JSON', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, 'preprocessor_config.json'), '{ "size": ');
    await expect(loadPreprocessorConfig(bad, 224)).rejects.toThrow(ClipkitError);
    await expect(loadPreprocessorConfig(bad, 224)).rejects.toThrow(/bad\/preprocessor_config\.json: not valid JSON/);
  });
});
