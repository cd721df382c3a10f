import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { fakeClipLossPlugin, fakePlugins, fakeTextPlugin, fakeTfjsPlugin, fakeVitPlugin, TINY_MODEL } from '../testing/fake-plugins.test-support.js';
import { parseClipConfig, readClipConfig, readConfigPluginNames } from './parse-clip-config.js';

const SHARED = process.env.CLIPKIT_SHARED;

function problemsOf(json: unknown, plugins = fakePlugins): ConfigProblem[] {
  try {
    parseClipConfig(json, plugins, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('parseClipConfig', () => {
  it("fills every default: core's frame and each plug-in's section, derived fields included", () => {
    const config = parseClipConfig({ model: TINY_MODEL }, fakePlugins);
    expect(config.model).toEqual({
      embedDim: 4,
      logitScale: Math.log(1 / 0.07),
      logitBias: null,
      vision: { type: 'vit', imageSize: 16, patchSize: 4, width: 8, heads: 2, activation: 'quick_gelu' },
      text: { type: 'transformer', contextLength: 8, vocabSize: 20, width: 8, heads: 2, activation: 'quick_gelu' },
    });
    expect(config.plugins).toEqual([]);
    expect(config.tokenizer).toEqual({ type: 'clip-bpe', path: null });
    expect(config.loss).toEqual({ type: 'clip' });
    expect(config.backend).toEqual({ type: 'tfjs', device: 'auto', threads: null });
    expect(config.train).toEqual({
      batchSize: 64,
      steps: null,
      epochs: 1,
      lr: 5e-4,
      schedule: 'cosine',
      warmupSteps: 100,
      weightDecay: 0.2,
      beta1: 0.9,
      beta2: 0.98,
      eps: 1e-6,
      gradClipNorm: null,
      maxLogitScale: Math.log(100),
      accumulationSteps: 1,
      seed: 0,
      logEvery: 20,
      evalEvery: null,
      checkpointEvery: null,
      init: null,
      reinit: null,
      lock: { image: null, text: null },
      exportLayout: null,
    });
    expect(config.preprocess).toBeNull();
  });

  it("fills the preprocess section's resize size from the model's image size, and keeps a size given", () => {
    const filled = parseClipConfig({ model: TINY_MODEL, preprocess: { mean: [0.5, 0.5, 0.5] } }, fakePlugins).preprocess;
    expect(filled).toEqual({ resizeMode: 'shortest', size: 16, mean: [0.5, 0.5, 0.5], std: [0.26862954, 0.26130258, 0.27577711] });
    expect(parseClipConfig({ model: TINY_MODEL, preprocess: { size: 14 } }, fakePlugins).preprocess?.size).toBe(14);
  });

  it('checks train.init, reinit and lock together: a reinit or a lock needs a model to start from', () => {
    const problems = (train: unknown) => {
      try {
        parseClipConfig({ model: TINY_MODEL, train }, fakePlugins);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.map((p) => p.path);
      }
    };
    expect(problems({ init: 'runs/x/checkpoint', reinit: 'text', lock: { image: {} } })).toEqual([]);
    expect(problems({ reinit: 'text' })).toEqual(['train.reinit']);
    expect(problems({ lock: { text: { unlockedLayers: 1 } } })).toEqual(['train.lock.text']);
    expect(problems({ init: 'm', reinit: 'image', lock: { image: {} } })).toEqual(['train.lock.image']);
    expect(parseClipConfig({ model: TINY_MODEL, train: { init: 'm', lock: { image: {} } } }, fakePlugins).train.lock).toEqual({
      image: { unlockedGroups: 0, freezeBatchNormStats: false },
      text: null,
    });
  });

  it('fills the defaults of the variant a section chooses (siglip loss, onnxruntime backend)', () => {
    const config = parseClipConfig({ model: TINY_MODEL, loss: { type: 'siglip' }, backend: { type: 'onnxruntime', threads: 2 } }, fakePlugins);
    expect(config.loss).toEqual({ type: 'siglip', chunkSize: null });
    expect(config.backend).toEqual({ type: 'onnxruntime', threads: 2 });
  });

  // Each bad config, with the problems it must report (path and message); the value is checked where it exists.
  const vision = TINY_MODEL.vision;
  const badConfigs: [string, unknown, Partial<ConfigProblem>[]][] = [
    [
      'a type no plug-in offers, naming those offered',
      { model: { ...TINY_MODEL, vision: { ...vision, type: 'vti' } } },
      [{ path: 'model.vision.type', message: 'must be one of "vit", "resnet" (the types of the plug-ins given)', value: 'vti' }],
    ],
    [
      'a type clipkit knows of, naming the package to install',
      { model: { ...TINY_MODEL, vision: { type: 'siglip' } } },
      [
        {
          path: 'model.vision.type',
          message:
            'must be one of "vit", "resnet" (the types of the plug-ins given); "siglip" is provided by @clipkit/encoders-siglip: npm install @clipkit/encoders-siglip, and add it to the config\'s "plugins" if clipkit does not load it already',
          value: 'siglip',
        },
      ],
    ],
    [
      'an unknown key (typo), listing the allowed keys',
      { model: { ...TINY_MODEL, vision: { ...vision, widht: 128 } } },
      [{ path: 'model.vision.widht', message: 'unknown key; allowed keys are type, imageSize, patchSize, width, heads, activation' }],
    ],
    [
      'an unknown key in the variant the section chose',
      { model: { ...TINY_MODEL, vision: { type: 'resnet', patchSize: 4 } } },
      [{ path: 'model.vision.patchSize', message: 'unknown key; allowed keys are type, imageSize, layers, width' }],
    ],
    [
      'an unknown key of the frame',
      { model: TINY_MODEL, trian: {} },
      [{ path: 'trian', message: 'unknown key; allowed keys are $schema, plugins, model, tokenizer, loss, backend, data, preprocess, train' }],
    ],
    ['a missing required field', { model: { vision, text: TINY_MODEL.text } }, [{ path: 'model.embedDim', message: 'is required' }]],
    ['a missing type', { model: TINY_MODEL, loss: { chunkSize: 4 } }, [{ path: 'loss.type', message: 'is required: one of "clip", "siglip" (the types of the plug-ins given)' }]],
    ['an out-of-range number', { model: TINY_MODEL, train: { lr: -1 } }, [{ path: 'train.lr', message: 'must be > 0', value: -1 }]],
    ['a number above its maximum', { model: { ...TINY_MODEL, logitScale: 21 } }, [{ path: 'model.logitScale', message: 'must be <= 20', value: 21 }]],
    ['a non-integer where an integer is needed', { model: { ...TINY_MODEL, embedDim: 4.5 } }, [{ path: 'model.embedDim', message: 'must be an integer', value: 4.5 }]],
    ['a string where a number is needed', { model: TINY_MODEL, train: { batchSize: '64' } }, [{ path: 'train.batchSize', message: 'must be a number', value: '64' }]],
    [
      'a wrong nested type',
      { model: { ...TINY_MODEL, text: 'transformer' } },
      [{ path: 'model.text', message: 'must be a JSON object with a "type" (one of "transformer")', value: 'transformer' }],
    ],
    [
      "a rule between fields of a plug-in's section",
      { model: { ...TINY_MODEL, vision: { ...vision, patchSize: 5 } } },
      [{ path: 'model.vision.patchSize', message: 'must divide imageSize (16)', value: 5 }],
    ],
    [
      'a rule between fields of the frame',
      { model: TINY_MODEL, train: { batchSize: 10, accumulationSteps: 3 } },
      [{ path: 'train.accumulationSteps', message: 'must divide batchSize (10)', value: 3 }],
    ],
    [
      'a bad enum value',
      { model: TINY_MODEL, backend: { type: 'tfjs', device: 'gpu' } },
      [{ path: 'backend.device', message: 'must be one of "auto", "cpu", "wasm"', value: 'gpu' }],
    ],
    [
      'a list of the wrong length',
      { model: { ...TINY_MODEL, vision: { type: 'resnet', layers: [1, 1, 1] } } },
      [{ path: 'model.vision.layers', message: 'must have at least 4 items', value: [1, 1, 1] }],
    ],
    ['a non-object document', [1, 2], [{ path: '(root)', message: 'must be a JSON object', value: [1, 2] }]],
  ];

  it.each(badConfigs)('rejects %s, naming the path, the value and what is allowed', (_name, json, expected) => {
    expect(problemsOf(json)).toEqual(expected.map((p) => expect.objectContaining(p)));
  });

  it('reports every problem at once, in one error naming the file', () => {
    const json = { model: { ...TINY_MODEL, embedDim: 0, vision: { ...vision, width: -1 } }, train: { seed: 'x' }, extra: 1 };
    let error: ConfigError | undefined;
    try {
      parseClipConfig(json, fakePlugins, 'bad.json');
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.problems.map((p) => p.path).sort()).toEqual(['extra', 'model.embedDim', 'model.vision.width', 'train.seed']);
    expect(error?.message).toContain('Invalid clipkit config (bad.json): 4 problems');
    expect(error?.message).toContain('  - model.vision.width: must be >= 1 (got -1)');
  });

  it('keeps a section no given plug-in declares as it is, so inference needs no loss or dataset package', () => {
    const plugins = [fakeTfjsPlugin, fakeVitPlugin, fakeTextPlugin];
    const config = parseClipConfig({ model: TINY_MODEL, loss: { type: 'siglip', chunkSize: 8 } }, plugins);
    expect(config.loss).toEqual({ type: 'siglip', chunkSize: 8 });
    expect(config.data).toEqual({ type: 'synthetic-shapes' });
    expect(config.tokenizer).toEqual({ type: 'clip-bpe' });
    // Loose, not unchecked: a section still needs its type.
    expect(problemsOf({ model: TINY_MODEL, data: { path: 'x' } }, plugins)).toEqual([
      expect.objectContaining({ path: 'data.type', message: expect.stringContaining('is required') }),
    ]);
  });

  it('checks a section declared by one plug-in like any other: the type, then its fields', () => {
    const plugins = [fakeTfjsPlugin, fakeVitPlugin, fakeTextPlugin, fakeClipLossPlugin];
    expect(problemsOf({ model: TINY_MODEL, loss: { type: 'siglip', chunkSize: 8 } }, plugins)).toEqual([
      expect.objectContaining({ path: 'loss.type', message: expect.stringMatching(/^must be one of "clip" .*@clipkit\/losses/), value: 'siglip' }),
    ]);
    expect(problemsOf({ model: TINY_MODEL, loss: { type: 'clip', chunkSize: 8 } }, plugins)).toEqual([
      expect.objectContaining({ path: 'loss.chunkSize', message: 'unknown key; allowed keys are type' }),
    ]);
  });

  it('accepts npm package names in `plugins`, never paths or URLs (nothing read from a file is executed)', () => {
    const names = ['@someone/encoders-convnext', 'clipkit-plugin-x', '@a.b/c_d-e~f'];
    expect(parseClipConfig({ plugins: names, model: TINY_MODEL }, fakePlugins).plugins).toEqual(names);
    for (const bad of ['./my-plugin', '../plugin', '/abs/plugin.js', 'file:../x', 'https://example.com/x.js', '@scope/../x', 'Upper', '']) {
      expect(problemsOf({ plugins: [bad], model: TINY_MODEL }), bad).toEqual([expect.objectContaining({ path: 'plugins[0]', message: 'must be an npm package name', value: bad })]);
    }
  });

  it('accepts a $schema key for editors', () => {
    expect(parseClipConfig({ $schema: './clipkit.schema.json', model: TINY_MODEL }, fakePlugins).model.embedDim).toBe(4);
  });

  it('takes relative section paths in a config file relative to its folder, declared or not, and reads `plugins` before validating', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-config-'));
    const file = join(dir, 'run.json');
    writeFileSync(
      file,
      JSON.stringify({
        plugins: ['@someone/data-x', 3],
        model: TINY_MODEL,
        tokenizer: { type: 'clip-bpe', path: 'vocab/vocab.json' },
        data: { type: 'image-text', path: '../images', file: 'captions.csv' },
      }),
    );
    expect(readConfigPluginNames(file)).toEqual(['@someone/data-x']);
    expect(() => readClipConfig(file, fakePlugins)).toThrow(/plugins\[1\]: must be a string/);
    writeFileSync(
      file,
      JSON.stringify({ model: TINY_MODEL, tokenizer: { type: 'clip-bpe', path: 'vocab/vocab.json' }, data: { type: 'image-text', path: '../images', file: 'captions.csv' } }),
    );
    const config = readClipConfig(file, fakePlugins);
    expect(config.tokenizer.path).toBe(join(dir, 'vocab/vocab.json'));
    expect(config.data).toEqual({ type: 'image-text', path: resolve(dir, '../images'), file: 'captions.csv' });
  });

  it('reads a file and reports unreadable files and bad JSON with the file name', () => {
    expect(() => readClipConfig('/nonexistent/config.json', fakePlugins)).toThrow(/\/nonexistent\/config\.json.*cannot read the file/s);
    expect(() => readClipConfig(`${SHARED}/fixtures/tokenizer/merges.txt`, fakePlugins)).toThrow(/merges\.txt.*is not valid JSON/s);
  });
});
