import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClipkitError } from '../errors.js';
import { detectModelLayout, readModelDirectory } from './model-directory.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
const temp = () => mkdtempSync(join(tmpdir(), 'clipkit-dir-'));

describe('detectModelLayout', () => {
  it('recognises each fixture directory by its files', () => {
    expect(detectModelLayout(`${MODELS}/vit-b-tiny-quickgelu`)).toBe('open_clip');
    expect(detectModelLayout(`${MODELS}/rn-tiny`)).toBe('open_clip');
    expect(detectModelLayout(`${MODELS}/hf/vit-b-tiny-quickgelu`)).toBe('huggingface');
  });

  it('lists what it found and what each layout needs', () => {
    const dir = temp();
    writeFileSync(join(dir, 'pytorch_model.bin'), '');
    expect(() => detectModelLayout(dir)).toThrow(ClipkitError);
    expect(() => detectModelLayout(dir)).toThrow(/found: pytorch_model\.bin.*clipkit\.json.*open_clip_config\.json.*config\.json with model_type "clip"/);
    expect(() => detectModelLayout(join(dir, 'nope'))).toThrow(/does not exist/);
  });

  it('refuses a Hugging Face config of another model type', () => {
    const dir = temp();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'siglip' }));
    expect(() => detectModelLayout(dir)).toThrow(/model_type "siglip"; clipkit reads CLIPModel configs/);
  });
});

describe('readModelDirectory', () => {
  it('reads the Hugging Face fixture into a ClipConfig with the bundled tokenizer', () => {
    const { config, layout, weightsFile } = readModelDirectory(`${MODELS}/hf/vit-b-tiny-quickgelu`);
    expect(layout).toBe('huggingface');
    expect(weightsFile).toBe(`${MODELS}/hf/vit-b-tiny-quickgelu/model.safetensors`);
    expect(config.model.vision).toMatchObject({ type: 'vit', imageSize: 32, patchSize: 8, width: 128, heads: 2 });
    expect(config.model.text.eosTokenId).toBe(999);
    expect(config.tokenizer).toEqual({ type: 'clip-bpe', path: null });
    expect(config.backend.type).toBe('tfjs');
  });

  it("reads open_clip's wrapped Hub form and its preprocess_cfg, uses the directory's tokenizer files, and takes a backend override", () => {
    const dir = temp();
    const bare = JSON.parse(JSON.stringify(readModelDirectory(`${MODELS}/rn-tiny`).config.model));
    writeFileSync(
      join(dir, 'open_clip_config.json'),
      JSON.stringify({ model_cfg: JSON.parse(readFileSync(`${MODELS}/rn-tiny/open_clip_config.json`, 'utf8')), preprocess_cfg: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } }),
    );
    copyFileSync(`${process.env.CLIPKIT_SHARED}/fixtures/tokenizer/vocab.json`, join(dir, 'vocab.json'));
    copyFileSync(`${process.env.CLIPKIT_SHARED}/fixtures/tokenizer/merges.txt`, join(dir, 'merges.txt'));
    const read = readModelDirectory(dir, { backend: { type: 'onnxruntime' } });
    expect(read.config.model).toEqual(bare);
    expect(read.openClipPreprocess).toEqual({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(read.config.tokenizer.path).toBe(resolve(dir));
    expect(read.config.backend).toMatchObject({ type: 'onnxruntime', graphOptimization: 'all' });
  });
});
