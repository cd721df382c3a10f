import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnyClipPlugin, parseClipConfig, type SeededRandom } from '@clipkit/core';
import { plugins as datasetPlugins } from '@clipkit/datasets';
import { plugins as resnetPlugins } from '@clipkit/encoders-resnet';
import { plugins as siglipPlugins } from '@clipkit/encoders-siglip';
import { plugins as vitPlugins } from '@clipkit/encoders-vit';
import { parsePreprocessorConfig } from '@clipkit/images';
import { plugins as lossPlugins } from '@clipkit/losses';
import { plugins as textPlugins } from '@clipkit/text-transformer';
import { plugins as sentencePiecePlugins } from '@clipkit/tokenizer-sentencepiece';
import { check, type FuzzInput, type FuzzTarget, outcomeOf, SHARED } from '../fuzz-target.js';
import { type Json, mutateJson } from '../mutate-json.js';

const REPO = new URL('../../../', import.meta.url).pathname;

/** Whole clipkit configs (the repository's recipes) and model configs in each layout the readers take. */
const CONFIGS = [
  `${REPO}configs/shapes-vit-clip.json`,
  `${REPO}configs/shapes-resnet-clip.json`,
  `${REPO}configs/fashion-mnist-vit-siglip.json`,
  `${REPO}configs/fashion-mnist-resnet-lit.json`,
];
const MODEL_CONFIGS = [
  'models/hf/vit-b-tiny-quickgelu/config.json',
  'models/siglip-tiny/config.json',
  'models/rn-tiny/open_clip_config.json',
  'models/vit-b-tiny-gelu/open_clip_config.json',
  'checkpoints/open-clip-train/model_config.json',
];
const PREPROCESSOR_CONFIGS = ['models/hf/vit-b-tiny-quickgelu/preprocessor_config.json', 'models/siglip-tiny/preprocessor_config.json'];

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;

/** The config parser (parseClipConfig with every plug-in, parsePreprocessorConfig): mutated and type-confused JSON. */
export const configTarget: FuzzTarget = {
  name: 'config',
  description: 'parseClipConfig (clipkit, Hugging Face and open_clip layouts) and parsePreprocessorConfig on mutated, type-confused JSON',
  async prepare() {
    const plugins: AnyClipPlugin[] = [...vitPlugins, ...resnetPlugins, ...siglipPlugins, ...textPlugins, ...sentencePiecePlugins, ...lossPlugins, ...datasetPlugins];
    const seeds: { name: string; json: Json; parse: (json: Json) => void }[] = [
      ...CONFIGS.map((file) => ({ name: file.slice(REPO.length), json: readJson(file), parse: (json: Json) => checkClip(parseClipConfig(json, plugins)) })),
      ...MODEL_CONFIGS.map((file) => ({
        name: file,
        json: readJson(join(SHARED, 'fixtures', file)),
        parse: (json: Json) => checkClip(parseClipConfig({ model: json }, plugins, file, { training: false })),
      })),
      ...PREPROCESSOR_CONFIGS.map((file) => ({ name: file, json: readJson(join(SHARED, 'fixtures', file)), parse: (json: Json) => void parsePreprocessorConfig(json) })),
    ];
    return (random: SeededRandom): FuzzInput => {
      const seed = seeds[random.int(seeds.length)];
      const { value, description } = mutateJson(seed.json, random);
      return { description: `${seed.name}: ${description}`, length: JSON.stringify(value).length, run: () => outcomeOf(() => seed.parse(value)) };
    };
  },
};

function checkClip(config: ReturnType<typeof parseClipConfig>): void {
  check(Number.isInteger(config.model.embedDim) && config.model.embedDim > 0, `embedDim ${config.model.embedDim}`);
  check(Number.isInteger(config.model.vision.imageSize) && config.model.vision.imageSize > 0, `imageSize ${config.model.vision.imageSize}`);
  check(Number.isInteger(config.model.text.contextLength) && config.model.text.contextLength > 0, `contextLength ${config.model.text.contextLength}`);
}
