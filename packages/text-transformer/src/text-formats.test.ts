import { readFileSync } from 'node:fs';
import { initTfjs } from '@clipkit/backend-tfjs';
import { type ConfigProblem, hfNamesOf, loadStateDict, readSafetensors, SafetensorsFile, SeededRandom, toInt32 } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { textHfFormat } from './text-hf-format.js';
import { textOpenClipFormat } from './text-open-clip-format.js';
import { TextTransformer } from './text-transformer.js';
import { type TextTransformerConfig, textTransformerSchema } from './text-transformer-schema.js';

// Truth: the fixtures' open_clip text_cfg and Hugging Face text_config (written by open_clip and transformers
// for the same model), and the Hugging Face fixture checkpoint with the model's reference outputs.

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
const textCfg = (fixture: string) => readJson(`${MODELS}/${fixture}/open_clip_config.json`).text_cfg;
const hfConfig = () => readJson(`${MODELS}/hf/vit-b-tiny-quickgelu/config.json`);

const TINY_TEXT = { type: 'transformer', contextLength: 77, vocabSize: 1000, width: 64, heads: 4, layers: 2, mlpWidth: 256, layerNormEps: 1e-5 };

/** A section as core reads it: the format's output, validated by the plug-in's schema; the problems on the side. */
function readOpenClip(cfg: Record<string, unknown>, quickGelu = true): { section?: TextTransformerConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const read = textOpenClipFormat.read(cfg, { quickGelu, embedDim: 64 }, problems);
  return { section: read && textTransformerSchema.parse(read), problems };
}

function readHf(sub: Record<string, unknown>): { section?: TextTransformerConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const read = textHfFormat.read(sub, { text_config: sub }, problems);
  return { section: read && textTransformerSchema.parse(read.section), problems };
}

describe("the text tower in open_clip's model configs", () => {
  it("reads the fixtures' text_cfg, the activation from quick_gelu", () => {
    expect(readOpenClip(textCfg('vit-b-tiny-quickgelu'))).toEqual({ section: { ...TINY_TEXT, activation: 'quick_gelu', eosTokenId: null }, problems: [] });
    expect(readOpenClip(textCfg('vit-b-tiny-gelu'), false).section).toMatchObject({ activation: 'gelu' });
  });

  it("fills open_clip's CLIPTextCfg defaults", () => {
    expect(readOpenClip({}, false).section).toEqual({
      type: 'transformer',
      contextLength: 77,
      vocabSize: 49408,
      width: 512,
      heads: 8,
      layers: 12,
      mlpWidth: 2048,
      layerNormEps: 1e-5,
      activation: 'gelu',
      eosTokenId: null,
    });
  });

  it('rejects options clipkit does not implement and typos, naming each', () => {
    const { section, problems } = readOpenClip({ hf_model_name: 'roberta-base', widht: 3, tokenizer_kwargs: { clean: 'whitespace' } });
    expect(section).toBeUndefined();
    expect(problems).toEqual([
      { path: 'hf_model_name', message: 'clipkit supports only null here (Hugging Face text towers is not implemented)', value: 'roberta-base' },
      { path: 'widht', message: expect.stringContaining('unknown key; allowed keys are context_length, vocab_size, width') },
    ]);
  });

  it('writes the fixture text_cfg back as open_clip wrote it, and reads that back unchanged', () => {
    const section = readOpenClip(textCfg('vit-b-tiny-quickgelu')).section!;
    const { cfg, quickGelu } = textOpenClipFormat.write(section);
    expect(cfg).toMatchObject(textCfg('vit-b-tiny-quickgelu'));
    expect(quickGelu).toBe(true);
    expect(readOpenClip(cfg).section).toEqual(section);
    const ratio = readOpenClip({ width: 512, heads: 8, layers: 12, mlp_ratio: 2.5 }).section!;
    expect(ratio.mlpWidth).toBe(1280);
    expect(readOpenClip(textOpenClipFormat.write(ratio).cfg).section).toEqual(ratio);
  });

  it('refuses what open_clip cannot express, naming the field', () => {
    const section = readOpenClip(textCfg('vit-b-tiny-quickgelu')).section!;
    expect(() => textOpenClipFormat.write({ ...section, layerNormEps: 1e-6 })).toThrow(/model\.text\.layerNormEps/);
    expect(() => textOpenClipFormat.write({ ...section, eosTokenId: 999 })).toThrow(/model\.text\.eosTokenId: text features are pooled at the first token 999/);
    // 1 / 49 * 49 is 0.9999999999999999 in float64: open_clip would read mlp_ratio 1 / 49 back as an MLP width of 0.
    expect(() => textOpenClipFormat.write({ ...section, width: 49, heads: 7, mlpWidth: 1 })).toThrow(
      /model\.text\.mlpWidth: mlpWidth 1 is not int\(width x mlp_ratio\) in floating point/,
    );
  });
});

describe('the text tower in Hugging Face CLIP configs', () => {
  it("reads the fixture's text_config, pooling at the first eos_token_id 999", () => {
    expect(readHf(hfConfig().text_config)).toEqual({ section: { ...TINY_TEXT, activation: 'quick_gelu', eosTokenId: 999 }, problems: [] });
  });

  it("applies transformers' CLIPTextConfig defaults, and keeps argmax pooling for the legacy eos_token_id 2", () => {
    expect(readHf({}).section).toMatchObject({ contextLength: 77, vocabSize: 49408, width: 512, heads: 8, layers: 12, mlpWidth: 2048, eosTokenId: 49407 });
    expect(readHf({ eos_token_id: 2 }).section!.eosTokenId).toBeNull();
  });

  it("rejects activations that are not CLIP's", () => {
    expect(readHf({ hidden_act: 'gelu_new' }).problems).toEqual([expect.objectContaining({ path: 'hidden_act', value: 'gelu_new' })]);
  });

  it("writes the fixture's text_config back, and argmax pooling as OpenAI's legacy eos_token_id 2", () => {
    const section = readHf(hfConfig().text_config).section!;
    const { sub, top } = textHfFormat.write(section, 64);
    const { bos_token_id: _bos, pad_token_id: _pad, ...original } = hfConfig().text_config;
    expect(sub).toEqual(original);
    expect(top).toEqual({ projection_dim: 64 });
    const argmax = textHfFormat.write({ ...section, eosTokenId: null }, 64).sub;
    expect(argmax).toMatchObject({ bos_token_id: 0, eos_token_id: 2, pad_token_id: 1 });
    expect(readHf(argmax).section!.eosTokenId).toBeNull();
    expect(() => textHfFormat.write({ ...section, eosTokenId: 2 }, 64)).toThrow(/model\.text\.eosTokenId: transformers reads eos_token_id 2 as "pool at the largest id"/);
  });

  it('stores every text weight under the Hugging Face checkpoint names, each name once', async () => {
    const section = readHf(hfConfig().text_config).section!;
    const tower = new TextTransformer(section, 64, new SeededRandom(0));
    const stored = [...tower.stateDict().keys()].flatMap((name) => hfNamesOf(textHfFormat.storage(name)!));
    tower.dispose();
    const file = await SafetensorsFile.open(`${MODELS}/hf/vit-b-tiny-quickgelu/model.safetensors`);
    const textNames = file.names.filter((n) => (n.startsWith('text_model.') || n.startsWith('text_projection.')) && !n.endsWith('position_ids'));
    await file.close();
    expect(stored.sort()).toEqual(textNames.sort());
  });

  it('loads the Hugging Face checkpoint through its storage and reproduces text_embeds (split q/k/v, transposed projection)', async () => {
    await initTfjs({ device: 'cpu', log: () => undefined });
    const tower = new TextTransformer(readHf(hfConfig().text_config).section!, 64, new SeededRandom(0));
    const file = await SafetensorsFile.open(`${MODELS}/hf/vit-b-tiny-quickgelu/model.safetensors`);
    const isText = (name: string) => name.startsWith('text_model.') || name.startsWith('text_projection.');
    await loadStateDict(tower.stateDict(), file, { storage: (name) => textHfFormat.storage(name), ignore: (name) => !isText(name) });
    await file.close();
    const inputIds = (await readSafetensors(`${MODELS}/vit-b-tiny-quickgelu/inputs.safetensors`)).get('input_ids')!;
    const expected = (await readSafetensors(`${MODELS}/vit-b-tiny-quickgelu/outputs.safetensors`)).get('text_embeds')!.data as Float32Array;
    const ids = tf.tensor2d(toInt32(inputIds, 'input_ids'), inputIds.shape as [number, number], 'int32');
    const embeds = await tower.encode(ids);
    const got = embeds.dataSync();
    const scale = Math.max(1, ...Array.from(expected, Math.abs));
    const error = Math.max(...Array.from(expected, (v, i) => Math.abs(got[i] - v)));
    expect(error).toBeLessThanOrEqual(1e-4 * scale);
    tf.dispose([ids, embeds]);
    tower.dispose();
  });
});
