import { z } from 'zod';
import type { AnyClipPlugin } from '../di/plugin.js';
import { type SectionPath, SLOTS } from '../di/slots.js';
import { ClipkitError } from '../errors.js';
import type { ClipConfig } from './clip-config.js';
import { preprocessSchema } from './preprocess-schema.js';
import { trainSchema } from './train-schema.js';

/** CLIP's initial log logit scale ln(1 / 0.07) (OpenAI's paper; open_clip's and transformers' default init). */
export const CLIP_LOGIT_SCALE = Math.log(1 / 0.07);

/** npm package names (scoped or not); a config's `plugins` may not name paths (nothing read from a file is executed). */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** The default `type` of each section that has one. */
function defaultTypeOf(section: SectionPath): string | undefined {
  return SLOTS.find((slot) => slot.section === section && slot.defaultType !== undefined)?.defaultType;
}

/** The plug-ins' schemas for one section, one per type. */
function sectionSchemas(section: SectionPath, plugins: readonly AnyClipPlugin[]): Map<string, z.ZodType> {
  const schemas = new Map<string, z.ZodType>();
  for (const plugin of plugins) {
    if (plugin.slot.section !== section || plugin.type === '*' || !plugin.schema) continue;
    // The config chooses the plug-in by its `type` and the schema by its literal: they must agree.
    const literal = (plugin.schema as unknown as { _zod: { propValues?: Record<string, Set<unknown>> } })._zod.propValues?.type;
    if (!literal?.has(plugin.type)) {
      throw new ClipkitError(`the ${section} plug-in of type "${plugin.type}" declares a schema whose type is not z.literal("${plugin.type}"); fix the plug-in's schema`);
    }
    const known = schemas.get(plugin.type);
    if (known && known !== plugin.schema) {
      throw new ClipkitError(`two plug-ins declare different schemas for ${section}.type "${plugin.type}"; pass only one package that provides it`);
    }
    schemas.set(plugin.type, plugin.schema);
  }
  return schemas;
}

/**
 * A section as the plug-ins declare it: the union of their schemas told apart by `type` (a union even of
 * one, so a type that plug-in does not offer is one problem naming the offered types, not a type problem
 * plus every field the other type has). A section no given plug-in declares is kept as it is
 * (`{ type, ... }` unchecked), so an inference pipeline does not need the loss or dataset packages;
 * resolving it later names the package to install.
 */
function sectionSchema(section: SectionPath, plugins: readonly AnyClipPlugin[]): z.ZodType {
  const schemas = [...sectionSchemas(section, plugins).values()];
  const union =
    schemas.length === 0
      ? z.looseObject({ type: z.string().min(1).describe('The component to use; no installed plug-in declares this section.') })
      : z.discriminatedUnion('type', schemas as unknown as [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]);
  const fallback = defaultTypeOf(section);
  return fallback === undefined ? union : union.prefault({ type: fallback });
}

/** The whole config's schema for these plug-ins: the frame core owns, each section from its plug-ins. */
export function composeConfigSchema(plugins: readonly AnyClipPlugin[]): z.ZodType<ClipConfig> {
  const model = z.strictObject({
    embedDim: z.int().min(1).max(65536).describe('Dimension of the joint embedding space.'),
    logitScale: z
      .number()
      .min(0)
      .max(20)
      .default(CLIP_LOGIT_SCALE)
      .describe('Initial log logit scale t (similarities are multiplied by exp(t)); pretrained models load theirs. Default ln(1/0.07).'),
    logitBias: z.number().min(-100).max(100).nullable().default(null).describe('Initial logit bias (SigLIP: -10); null: none (CLIP). Default null.'),
    vision: sectionSchema('model.vision', plugins).describe('The image tower, chosen by `type`. Required.'),
    text: sectionSchema('model.text', plugins).describe('The text tower, chosen by `type`. Required.'),
  });
  return z
    .strictObject({
      $schema: z.string().optional().describe('The JSON Schema of this file, for editors (`clipkit config-schema`).'),
      plugins: z
        .array(z.string().regex(PACKAGE_NAME, 'must be an npm package name'))
        .default([])
        .describe('npm packages providing further plug-ins (the clipkit command imports each and uses its `plugins` export); package names only. Default [].'),
      model: model.describe('The two towers, the joint embedding and the logit parameters; also accepts an open_clip model config or a Hugging Face config.json. Required.'),
      tokenizer: sectionSchema('tokenizer', plugins).describe('Text to token ids, chosen by `type`. Default { "type": "clip-bpe" }.'),
      loss: sectionSchema('loss', plugins).describe('The contrastive loss, chosen by `type`. Default { "type": "clip" }.'),
      backend: sectionSchema('backend', plugins).describe('The runtime, chosen by `type`: "tfjs" trains and infers, "onnxruntime" infers. Default { "type": "tfjs" }.'),
      data: sectionSchema('data', plugins).describe('The training and evaluation data, chosen by `type`. Default { "type": "synthetic-shapes" }.'),
      preprocess: preprocessSchema
        .nullable()
        .default(null)
        .describe("The image transform (resize, centre crop to model.vision.imageSize, normalise); null: the dataset's own. Checkpoints record theirs. Default null."),
      train: trainSchema.describe('Optimiser, schedule and loop settings; every field has a default.'),
    })
    .transform((config) => {
      // The resize's default size is the model's input size, which only the whole config knows.
      const { preprocess, model } = config;
      return preprocess === null || preprocess.size !== undefined ? config : { ...config, preprocess: { ...preprocess, size: (model.vision as { imageSize: number }).imageSize } };
    }) as unknown as z.ZodType<ClipConfig>;
}

/** The JSON Schema of configs for these plug-ins (what editors complete and check a config file with). */
export function configJsonSchema(plugins: readonly AnyClipPlugin[]): Record<string, unknown> {
  return z.toJSONSchema(composeConfigSchema(plugins), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
