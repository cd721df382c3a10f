import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin } from '../di/plugin.js';
import { fakePlugins, fakeTextPlugin, fakeTfjsPlugin, fakeVitPlugin, TINY_MODEL } from '../testing/fake-plugins.test-support.js';
import { configJsonSchema } from './compose-config-schema.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; oneOf?: JsonSchema[] };

/** A config an editor should accept: every section chosen explicitly, nothing left to defaults. */
const goodConfig = {
  $schema: './clipkit.schema.json',
  plugins: ['@someone/encoders-convnext'],
  model: { ...TINY_MODEL, logitScale: 2.3, logitBias: -10 },
  tokenizer: { type: 'clip-bpe', path: 'vocab.json' },
  loss: { type: 'siglip', chunkSize: 16 },
  backend: { type: 'tfjs', device: 'wasm', threads: 2 },
  data: { type: 'my-data', anything: true },
  train: { batchSize: 8, steps: 10, schedule: 'constant' },
};

describe('configJsonSchema', () => {
  const schema = configJsonSchema(fakePlugins) as JsonSchema;
  // Read back by an independent implementation: zod's JSON Schema reader, which knows nothing of the zod schemas it came from.
  const validator = z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema);

  it('accepts a good config and rejects what parseClipConfig rejects', () => {
    expect(validator.safeParse(goodConfig).success).toBe(true);
    expect(validator.safeParse({ model: TINY_MODEL }).success).toBe(true);
    const bad: [string, unknown][] = [
      ['an unknown key in a section', { model: { ...TINY_MODEL, vision: { ...TINY_MODEL.vision, widht: 8 } } }],
      ['a type no plug-in offers', { model: { ...TINY_MODEL, vision: { type: 'vti' } } }],
      ['a bad enum value', { model: TINY_MODEL, backend: { type: 'tfjs', device: 'gpu' } }],
      ['a number out of range', { model: TINY_MODEL, train: { lr: 0 } }],
      ['a missing required field', { model: { vision: TINY_MODEL.vision, text: TINY_MODEL.text } }],
      ['a field of the other variant', { model: TINY_MODEL, loss: { type: 'clip', chunkSize: 16 } }],
      ['a path in plugins', { model: TINY_MODEL, plugins: ['./x.js'] }],
    ];
    for (const [what, json] of bad) expect(validator.safeParse(json).success, what).toBe(false);
  });

  it("describes each plug-in's fields with their defaults and bounds, one variant per type", () => {
    const model = schema.properties!.model;
    const variants = model.properties!.vision.oneOf!;
    expect(variants.map((v) => v.properties!.type.const)).toEqual(['vit', 'resnet']);
    expect(variants[0].additionalProperties).toBe(false);
    expect(variants[0].properties!.patchSize).toMatchObject({
      type: 'integer',
      minimum: 1,
      default: 8,
      description: 'Patch side in pixels; must divide imageSize. Default 8.',
    });
    expect(schema.properties!.backend).toMatchObject({ default: { type: 'tfjs' } });
    expect(model.required).toEqual(['embedDim', 'vision', 'text']);
  });

  it("describes every field of core's own sections", () => {
    const undescribed: string[] = [];
    const visit = (node: JsonSchema, path: string) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (typeof child.description !== 'string') undescribed.push(`${path}${key}`);
        if (key === 'model' || key === 'train') visit(child, `${key}.`);
      }
    };
    visit(schema, '');
    expect(undescribed).toEqual([]);
  });

  it('keeps a section no given plug-in declares open, and follows the plug-ins given', () => {
    const narrow = configJsonSchema([fakeTfjsPlugin, fakeVitPlugin, fakeTextPlugin]) as JsonSchema;
    expect(narrow.properties!.loss).toMatchObject({ type: 'object', required: ['type'], default: { type: 'clip' } });
    expect(narrow.properties!.loss.additionalProperties).not.toBe(false);
    expect(narrow.properties!.model.properties!.vision.oneOf!.map((v) => v.properties!.type.const)).toEqual(['vit']);
  });

  it("refuses a plug-in whose schema's type literal is not its own type", () => {
    const misnamed = definePlugin({ ...fakeVitPlugin, type: 'vit2' });
    expect(() => configJsonSchema([misnamed, fakeTextPlugin])).toThrow(
      'the model.vision plug-in of type "vit2" declares a schema whose type is not z.literal("vit2"); fix the plug-in\'s schema',
    );
  });
});
