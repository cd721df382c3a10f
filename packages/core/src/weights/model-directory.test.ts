import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelSource, SourcedModel } from '../components/model-source.js';
import { parseClipConfig } from '../config/parse-clip-config.js';
import { toHfModelConfig } from '../config/to-hf-model-config.js';
import { toOpenClipModelConfig } from '../config/to-open-clip-model-config.js';
import { definePlugin } from '../di/plugin.js';
import { ClipkitError, ConfigError } from '../errors.js';
import type { HostTensor } from '../safetensors/dtypes.js';
import { writeSafetensors } from '../safetensors/write-safetensors.js';
import { fakePlugins, fakeTextPlugin, fakeTfjsPlugin, fakeVitPlugin, TINY_MODEL } from '../testing/fake-plugins.test-support.js';
import { detectModelLayout, readModelDirectory } from './model-directory.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
const TOKENIZER = `${process.env.CLIPKIT_SHARED}/fixtures/tokenizer`;
const temp = () => mkdtempSync(join(tmpdir(), 'clipkit-dir-'));
const write = (dir: string, file: string, json: unknown) => writeFileSync(join(dir, file), JSON.stringify(json));
const model = parseClipConfig({ model: TINY_MODEL }, fakePlugins).model;

/** The fake towers as members of another transformers model type, whose hub folders use another tokenizer. */
const sigLipText = definePlugin({ ...fakeTextPlugin, formats: { huggingface: { ...fakeTextPlugin.formats!.huggingface!, modelType: 'siglip', tokenizer: 'sentencepiece' } } });
const sigLipVision = definePlugin({ ...fakeVitPlugin, formats: { huggingface: { ...fakeVitPlugin.formats!.huggingface!, modelType: 'siglip' } } });

describe('detectModelLayout', () => {
  it('recognises the fixture directories by their files, a config.json by the model types the plug-ins read', () => {
    expect(detectModelLayout(`${MODELS}/vit-b-tiny-quickgelu`, fakePlugins)).toBe('open_clip');
    expect(detectModelLayout(`${MODELS}/rn-tiny`, fakePlugins)).toBe('open_clip');
    expect(detectModelLayout(`${MODELS}/hf/vit-b-tiny-quickgelu`, fakePlugins)).toBe('huggingface');
    const dir = temp();
    write(dir, 'config.json', { model_type: 'siglip' });
    expect(detectModelLayout(dir, [sigLipVision, sigLipText])).toBe('huggingface');
    write(dir, 'clipkit.json', {});
    expect(detectModelLayout(dir, fakePlugins)).toBe('clipkit'); // clipkit's own config is the most specific
  });

  it('refuses a Hugging Face config of a model type no plug-in reads, naming the ones they read', () => {
    const dir = temp();
    write(dir, 'config.json', { model_type: 'siglip' });
    expect(() => detectModelLayout(dir, fakePlugins)).toThrow(`${dir}/config.json is a Hugging Face config of model_type "siglip"; the plug-ins given read model_type "clip"`);
    expect(() => detectModelLayout(dir, [])).toThrow(/read model_type \(none\)/);
  });

  it('lists what it found and what each layout needs, and says when the path is no directory', () => {
    const dir = temp();
    writeFileSync(join(dir, 'pytorch_model.bin'), '');
    expect(() => detectModelLayout(dir, fakePlugins)).toThrow(ClipkitError);
    expect(() => detectModelLayout(dir, fakePlugins)).toThrow(/found: pytorch_model\.bin.*clipkit\.json.*open_clip_config\.json.*config\.json with model_type/);
    expect(() => detectModelLayout(join(dir, 'nope'), fakePlugins)).toThrow(/does not exist/);
    expect(() => detectModelLayout(join(dir, 'pytorch_model.bin'), fakePlugins)).toThrow(/is a file/);
  });
});

describe('readModelDirectory', () => {
  it("reads a Hugging Face folder through the towers' formats, with its own tokenizer files when it has them", async () => {
    const dir = temp();
    write(dir, 'config.json', toHfModelConfig(model, fakePlugins));
    const bare = await readModelDirectory(dir, fakePlugins);
    expect(bare.layout).toBe('huggingface');
    expect(bare.weightsFile).toBe(join(dir, 'model.safetensors'));
    expect(bare.config.model).toEqual(model);
    expect(bare.config.tokenizer).toEqual({ type: 'clip-bpe', path: null });
    expect(bare.config.backend.type).toBe('tfjs');
    copyFileSync(join(TOKENIZER, 'vocab.json'), join(dir, 'vocab.json'));
    copyFileSync(join(TOKENIZER, 'merges.txt'), join(dir, 'merges.txt'));
    expect((await readModelDirectory(dir, fakePlugins)).config.tokenizer).toEqual({ type: 'clip-bpe', path: resolve(dir) });
  });

  it("takes the tokenizer type a Hugging Face model's text tower names", async () => {
    const dir = temp();
    write(dir, 'config.json', { model_type: 'siglip', vision_config: { image_size: 16, patch_size: 4, hidden_size: 8 }, text_config: { vocab_size: 20, hidden_size: 8 } });
    writeFileSync(join(dir, 'spiece.model'), '');
    const { config } = await readModelDirectory(dir, [fakeTfjsPlugin, sigLipVision, sigLipText]);
    expect(config.tokenizer).toEqual({ type: 'sentencepiece', path: resolve(dir) });
    expect([config.model.vision.type, config.model.text.type, config.model.embedDim]).toEqual(['vit', 'transformer', 512]);
  });

  it("reads open_clip's wrapped Hub form and its preprocess_cfg, and takes a backend override validated like the config", async () => {
    const dir = temp();
    write(dir, 'open_clip_config.json', { model_cfg: toOpenClipModelConfig(model, fakePlugins), preprocess_cfg: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } });
    const read = await readModelDirectory(dir, fakePlugins, { backend: { type: 'onnxruntime', threads: 2 } });
    expect(read.layout).toBe('open_clip');
    expect(read.config.model).toEqual(model);
    expect(read.openClipPreprocess).toEqual({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(read.config.backend).toEqual({ type: 'onnxruntime', threads: 2 });
    const bad = readModelDirectory(dir, fakePlugins, { backend: { type: 'onnxruntime', graphOptimisation: 'all' } });
    await expect(bad).rejects.toThrow(ConfigError);
    await expect(bad).rejects.toThrow(/backend\.graphOptimisation: unknown key/);
  });

  it('reads a clipkit.json whole, its relative paths from the directory', async () => {
    const dir = temp();
    mkdirSync(join(dir, 'vocab'));
    write(dir, 'clipkit.json', { model: TINY_MODEL, tokenizer: { type: 'clip-bpe', path: 'vocab' }, loss: { type: 'siglip' }, train: { seed: 3 } });
    const { config, layout } = await readModelDirectory(dir, fakePlugins);
    expect(layout).toBe('clipkit');
    expect(config.tokenizer.path).toBe(join(dir, 'vocab'));
    expect([config.loss.type, config.train.seed]).toEqual(['siglip', 3]);
  });
});

/** A model source that resolves `fake:NAME` to a folder and reads any folder holding `weights.fake` (an open_clip model, OpenAI names). */
function fakeSource(folders: Record<string, string>, calls: string[]): ModelSource {
  return {
    name: 'fake-source',
    resolve: async (ref) => {
      calls.push(`resolve ${ref}`);
      return ref.startsWith('fake:') ? folders[ref.slice('fake:'.length)] : undefined;
    },
    read: async (path, { log }) => {
      calls.push(`read ${path}`);
      if (!existsSync(join(path, 'weights.fake'))) return undefined;
      log('fake-source was asked');
      const found: SourcedModel = {
        layout: 'open_clip',
        config: { model_cfg: toOpenClipModelConfig(model, fakePlugins), preprocess_cfg: { mean: [0.1, 0.2, 0.3] } },
        configFile: join(path, 'weights.fake'),
        weightsFile: join(path, 'weights.fake'),
        notes: ['weights.fake chosen'],
        openWeights: () => Promise.reject(new Error('not opened in this test')),
      };
      return found;
    },
  };
}

describe('readModelDirectory with model sources', () => {
  const quiet = { log: () => undefined };

  it('resolves a reference through the first source that knows it, then reads the folder it names', async () => {
    const dir = temp();
    write(dir, 'open_clip_config.json', toOpenClipModelConfig(model, fakePlugins));
    await writeSafetensors(join(dir, 'model.safetensors'), {});
    const calls: string[] = [];
    const read = await readModelDirectory('fake:tiny', fakePlugins, { sources: [fakeSource({ tiny: dir }, calls)], ...quiet });
    expect([read.dir, read.layout, read.source, read.weightsFile]).toEqual([dir, 'open_clip', 'clipkit', join(dir, 'model.safetensors')]);
    // Core's own layout read the folder, so the source was not asked to.
    expect(calls).toEqual(['resolve fake:tiny']);
  });

  it("asks the sources only for what core's own layouts do not read, and logs their notes", async () => {
    const dir = temp();
    writeFileSync(join(dir, 'weights.fake'), '');
    const calls: string[] = [];
    const logged: string[] = [];
    const read = await readModelDirectory(dir, fakePlugins, { sources: [fakeSource({}, calls)], log: (m) => logged.push(m) });
    expect([read.dir, read.layout, read.source, read.configFile]).toEqual([dir, 'open_clip', 'fake-source', join(dir, 'weights.fake')]);
    expect(read.config.model).toEqual(model);
    expect(read.openClipPreprocess).toEqual({ mean: [0.1, 0.2, 0.3] });
    expect(calls).toEqual([`resolve ${dir}`, `read ${dir}`]);
    expect(logged).toEqual(['fake-source was asked', 'clipkit: weights.fake chosen']);
  });

  it('reads model.safetensors first and says which weight files of other formats it left unread', async () => {
    const dir = temp();
    write(dir, 'open_clip_config.json', toOpenClipModelConfig(model, fakePlugins));
    await writeSafetensors(join(dir, 'model.safetensors'), {});
    for (const file of ['pytorch_model.bin', 'weights.fake', 'inputs.safetensors']) writeFileSync(join(dir, file), '');
    const logged: string[] = [];
    const read = await readModelDirectory(dir, fakePlugins, { sources: [fakeSource({}, [])], log: (m) => logged.push(m) });
    expect(read.source).toBe('clipkit');
    expect(logged).toEqual([`clipkit: ${dir}: using model.safetensors (safetensors in clipkit's own layout come first); not read: pytorch_model.bin`]);
  });

  it("reads a folder holding both open_clip's and transformers' configs by the names in its weights", async () => {
    const dir = temp();
    write(dir, 'open_clip_config.json', toOpenClipModelConfig(model, fakePlugins));
    write(dir, 'config.json', toHfModelConfig(model, fakePlugins));
    const scalar: HostTensor = { dtype: 'F32', shape: [], data: Float32Array.of(1) };
    await writeSafetensors(join(dir, 'model.safetensors'), { 'vision_model.post_layernorm.bias': scalar });
    expect((await readModelDirectory(dir, fakePlugins, quiet)).layout).toBe('huggingface');
    await writeSafetensors(join(dir, 'model.safetensors'), { 'visual.ln_post.bias': scalar });
    expect((await readModelDirectory(dir, fakePlugins, quiet)).layout).toBe('open_clip');
  });

  it('takes a .safetensors file in a folder with a layout config as the weights of that folder', async () => {
    const dir = temp();
    write(dir, 'open_clip_config.json', toOpenClipModelConfig(model, fakePlugins));
    await writeSafetensors(join(dir, 'other.safetensors'), {});
    const read = await readModelDirectory(join(dir, 'other.safetensors'), fakePlugins, quiet);
    expect([read.dir, read.layout, read.weightsFile]).toEqual([dir, 'open_clip', join(dir, 'other.safetensors')]);
  });

  it('without a source that reads them, names the formats and the package that reads them', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'pytorch_model.bin'), '');
    await expect(readModelDirectory(dir, fakePlugins, quiet)).rejects.toThrow(/found: pytorch_model\.bin.*@clipkit\/checkpoints/);
    await expect(readModelDirectory(join(dir, 'pytorch_model.bin'), fakePlugins, quiet)).rejects.toThrow(/is a file clipkit cannot read.*@clipkit\/checkpoints/);
    await expect(readModelDirectory('hf:org/name', fakePlugins, quiet)).rejects.toThrow(
      /does not exist \(a hub name such as hf:ORG\/NAME is resolved by the model source of @clipkit\/hub/,
    );
  });
});
