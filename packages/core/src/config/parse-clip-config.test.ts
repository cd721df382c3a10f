import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { parseClipConfig, parseModelConfig, readClipConfig } from './parse-clip-config.js';

const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

const tinyModel = {
  embedDim: 64,
  vision: { type: 'vit', imageSize: 32, patchSize: 8, width: 128, layers: 2 },
  text: { type: 'transformer', vocabSize: 1000, width: 64, heads: 4, layers: 2 },
};

function problemsOf(json: unknown): ConfigProblem[] {
  try {
    parseClipConfig(json, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('parseClipConfig', () => {
  it('fills every default of a minimal config', () => {
    const config = parseClipConfig({ model: tinyModel });
    expect(config.model.vision).toEqual({
      type: 'vit',
      imageSize: 32,
      patchSize: 8,
      width: 128,
      layers: 2,
      heads: 2,
      mlpWidth: 512,
      layerNormEps: 1e-5,
      activation: 'quick_gelu',
    });
    expect(config.model.text).toMatchObject({ contextLength: 77, mlpWidth: 256, eosTokenId: null });
    expect(config.tokenizer).toEqual({ type: 'clip-bpe', path: null });
    expect(config.loss).toEqual({ type: 'clip', logitScale: Math.log(1 / 0.07), maxLogitScale: Math.log(100) });
    expect(config.backend).toEqual({ type: 'tfjs', device: 'auto', threads: null });
    expect(config.data).toEqual({ type: 'synthetic-shapes', imageSize: 32, seed: 0, evalSize: 1000 });
    expect(config.train).toMatchObject({ batchSize: 64, lr: 5e-4, beta2: 0.98, eps: 1e-6, weightDecay: 0.2, accumulationSteps: 1 });
  });

  it('fills the defaults of a chosen variant (siglip, onnxruntime)', () => {
    const config = parseClipConfig({ model: tinyModel, loss: { type: 'siglip' }, backend: { type: 'onnxruntime', threads: 2 } });
    expect(config.loss).toEqual({ type: 'siglip', logitScale: Math.log(10), maxLogitScale: Math.log(100), logitBias: -10, chunkSize: null });
    expect(config.backend).toEqual({ type: 'onnxruntime', threads: 2, graphOptimization: 'all' });
  });

  // Each bad config, with the problems it must report (path and message); the value is checked where it exists.
  const badConfigs: [string, unknown, Partial<ConfigProblem>[]][] = [
    [
      'a wrong type name',
      { model: { ...tinyModel, vision: { ...tinyModel.vision, type: 'vti' } } },
      [{ path: 'model.vision.type', message: 'must be one of "vit", "resnet"', value: 'vti' }],
    ],
    [
      'an unknown key (typo)',
      { model: { ...tinyModel, vision: { ...tinyModel.vision, widht: 128 } } },
      [{ path: 'model.vision.widht', message: expect.stringContaining('unknown key; allowed keys are type, imageSize, patchSize, width') }],
    ],
    ['a missing required field', { model: { vision: tinyModel.vision, text: tinyModel.text } }, [{ path: 'model.embedDim', message: 'is required' }]],
    ['an out-of-range number', { model: tinyModel, train: { lr: -1 } }, [{ path: 'train.lr', message: 'must be a number > 0 <= 10', value: -1 }]],
    ['a non-integer where an integer is needed', { model: { ...tinyModel, embedDim: 64.5 } }, [{ path: 'model.embedDim', message: 'must be an integer >= 1', value: 64.5 }]],
    [
      'a wrong nested type',
      { model: { ...tinyModel, text: 'transformer' } },
      [{ path: 'model.text', message: 'must be a JSON object with a "type" (one of "transformer")', value: 'transformer' }],
    ],
    ['a string where a number is needed', { model: tinyModel, train: { batchSize: '64' } }, [{ path: 'train.batchSize', message: 'must be an integer >= 1', value: '64' }]],
    [
      'heads that do not divide the width',
      { model: { ...tinyModel, text: { ...tinyModel.text, heads: 5 } } },
      [{ path: 'model.text.heads', message: 'must divide width (64)', value: 5 }],
    ],
    [
      'a patch that does not divide the image',
      { model: { ...tinyModel, vision: { ...tinyModel.vision, patchSize: 7 } } },
      [{ path: 'model.vision.patchSize', message: 'must divide imageSize (32)', value: 7 }],
    ],
    [
      'an unknown device',
      { model: tinyModel, backend: { type: 'tfjs', device: 'gpu' } },
      [{ path: 'backend.device', message: expect.stringContaining('must be one of "auto", "tensorflow"'), value: 'gpu' }],
    ],
    [
      'a ResNet with a wrong number of stages',
      { model: { ...tinyModel, vision: { type: 'resnet', layers: [1, 1, 1] } } },
      [{ path: 'model.vision.layers', message: 'must be a list of 4 items', value: [1, 1, 1] }],
    ],
    ['a missing type', { model: tinyModel, loss: { logitScale: 1 } }, [{ path: 'loss.type', message: 'is required: one of "clip", "siglip"' }]],
    ['a non-object document', [1, 2], [{ path: '(root)', message: 'must be a JSON object' }]],
  ];

  it.each(badConfigs)('rejects %s, naming the path, the value and what is allowed', (_name, json, expected) => {
    expect(problemsOf(json)).toEqual(expected.map((p) => expect.objectContaining(p)));
  });

  it('reports every problem at once, in one error naming the file', () => {
    const json = { model: { ...tinyModel, embedDim: 0, vision: { ...tinyModel.vision, layers: -1 } }, train: { seed: 'x' }, extra: 1 };
    let error: ConfigError | undefined;
    try {
      parseClipConfig(json, 'bad.json');
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.problems.map((p) => p.path)).toEqual(['extra', 'model.embedDim', 'model.vision.layers', 'train.seed']);
    expect(error?.message).toContain('Invalid clipkit config (bad.json): 4 problems');
    expect(error?.message).toContain('  - model.vision.layers: must be an integer >= 1 (got -1)');
  });

  it('takes relative paths in a config file relative to its folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-config-'));
    const file = join(dir, 'run.json');
    writeFileSync(
      file,
      JSON.stringify({ model: tinyModel, tokenizer: { type: 'clip-bpe', path: 'vocab/vocab.json' }, data: { type: 'image-text', path: '../images', file: 'captions.csv' } }),
    );
    const config = readClipConfig(file);
    expect(config.tokenizer.path).toBe(join(dir, 'vocab/vocab.json'));
    expect(config.data).toMatchObject({ path: resolve(dir, '../images'), file: 'captions.csv' });
  });

  it('reads a file and reports unreadable files and bad JSON with the file name', () => {
    expect(() => readClipConfig('/nonexistent/config.json')).toThrow(/\/nonexistent\/config\.json.*cannot read the file/s);
    expect(() => readClipConfig(`${FIXTURES}/../tokenizer/merges.txt`)).toThrow(/merges\.txt.*is not valid JSON/s);
  });
});

describe('model sections in the formats users have', () => {
  it('converts an open_clip model config (ViT, quick_gelu)', () => {
    const model = parseModelConfig(readJson(`${FIXTURES}/vit-b-tiny-quickgelu/open_clip_config.json`));
    expect(model).toEqual({
      embedDim: 64,
      vision: { type: 'vit', imageSize: 32, patchSize: 8, width: 128, layers: 2, heads: 2, mlpWidth: 512, layerNormEps: 1e-5, activation: 'quick_gelu' },
      text: {
        type: 'transformer',
        contextLength: 77,
        vocabSize: 1000,
        width: 64,
        heads: 4,
        layers: 2,
        mlpWidth: 256,
        layerNormEps: 1e-5,
        activation: 'quick_gelu',
        eosTokenId: null,
      },
    });
  });

  it('converts an open_clip config without quick_gelu to exact GELU', () => {
    const model = parseModelConfig(readJson(`${FIXTURES}/vit-b-tiny-gelu/open_clip_config.json`));
    expect(model.vision).toMatchObject({ type: 'vit', activation: 'gelu' });
    expect(model.text.activation).toBe('gelu');
  });

  it('converts an open_clip ModifiedResNet config (layers given as a list)', () => {
    expect(parseModelConfig(readJson(`${FIXTURES}/rn-tiny/open_clip_config.json`)).vision).toEqual({
      type: 'resnet',
      imageSize: 64,
      layers: [1, 2, 1, 1],
      width: 16,
      heads: 8,
    });
  });

  it("converts open_clip's ViT-B-32 config as published", () => {
    const vitB32 = {
      embed_dim: 512,
      vision_cfg: { image_size: 224, layers: 12, width: 768, patch_size: 32 },
      text_cfg: { context_length: 77, vocab_size: 49408, width: 512, heads: 8, layers: 12 },
    };
    expect(parseModelConfig(vitB32).vision).toMatchObject({ heads: 12, mlpWidth: 3072, activation: 'gelu' });
  });

  it('rejects open_clip options clipkit does not implement, and typos', () => {
    const json = { embed_dim: 64, vision_cfg: { layers: 2, width: 128, patch_size: 8, attentional_pool: true }, text_cfg: { hf_model_name: 'roberta-base', widht: 3 } };
    let problems: ConfigProblem[] = [];
    try {
      parseModelConfig(json);
    } catch (e) {
      problems = [...(e as ConfigError).problems];
    }
    expect(problems.map((p) => p.path)).toEqual(['vision_cfg.attentional_pool', 'text_cfg.widht', 'text_cfg.hf_model_name']);
    expect(problems[0].message).toContain('attentional pooling is not implemented');
  });

  it('converts a Hugging Face CLIP config.json (first-eos pooling for eos_token_id 999)', () => {
    const model = parseModelConfig(readJson(`${FIXTURES}/hf/vit-b-tiny-quickgelu/config.json`));
    expect(model).toEqual({
      embedDim: 64,
      vision: { type: 'vit', imageSize: 32, patchSize: 8, width: 128, layers: 2, heads: 2, mlpWidth: 512, layerNormEps: 1e-5, activation: 'quick_gelu' },
      text: {
        type: 'transformer',
        contextLength: 77,
        vocabSize: 1000,
        width: 64,
        heads: 4,
        layers: 2,
        mlpWidth: 256,
        layerNormEps: 1e-5,
        activation: 'quick_gelu',
        eosTokenId: 999,
      },
    });
  });

  it('keeps argmax pooling for legacy Hugging Face configs with eos_token_id 2', () => {
    expect(parseModelConfig({ model_type: 'clip', text_config: { eos_token_id: 2 } }).text.eosTokenId).toBeNull();
  });

  it("rejects Hugging Face activations that are not CLIP's", () => {
    expect(() => parseModelConfig({ model_type: 'clip', vision_config: { hidden_act: 'gelu_new' } })).toThrow(/vision_config\.hidden_act: must be one of "quick_gelu", "gelu"/);
  });

  it('accepts foreign model sections inside a whole clipkit config', () => {
    const config = parseClipConfig({ model: readJson(`${FIXTURES}/rn-tiny/open_clip_config.json`), loss: { type: 'siglip' } });
    expect(config.model.vision.type).toBe('resnet');
  });
});
