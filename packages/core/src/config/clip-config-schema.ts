import type { ConfigProblem } from '../errors.js';
import type {
  BackendConfig,
  ClipConfig,
  DataConfig,
  LossConfig,
  ModelConfig,
  ResNetConfig,
  TextTransformerConfig,
  TokenizerConfig,
  TrainConfig,
  VitConfig,
} from './clip-config.js';
import { childPath, type Field, integerField, listField, nullable, numberField, objectField, oneOf, stringField, taggedUnion, withDefault } from './fields.js';

/** An object field whose absence means "every field at its default". */
function withAllDefaults<T extends object>(field: Field<T>): Field<T> {
  return withDefault(field, () => field.parse({}, '', []) as T);
}

// Derived defaults are marked by this sentinel until `finish` fills them from their sibling fields.
const DERIVED = -1;
const positive = () => integerField({ min: 1 });
const derivedPositive = () => withDefault(integerField({ min: 1 }), DERIVED);
const activation = () => withDefault(oneOf(['quick_gelu', 'gelu'] as const), 'quick_gelu' as const);
const layerNormEps = () => withDefault(numberField({ above: 0, max: 0.1 }), 1e-5);

function requireDivides(problems: ConfigProblem[], path: string, key: string, divisor: number, of: string, total: number): void {
  if (total % divisor !== 0) problems.push({ path: childPath(path, key), message: `must divide ${of} (${total})`, value: divisor });
}

export const vitConfigField: Field<VitConfig> = objectField<VitConfig>(
  {
    type: oneOf(['vit'] as const),
    imageSize: withDefault(positive(), 224),
    patchSize: withDefault(positive(), 32),
    width: withDefault(positive(), 768),
    layers: withDefault(positive(), 12),
    heads: derivedPositive(),
    mlpWidth: derivedPositive(),
    layerNormEps: layerNormEps(),
    activation: activation(),
  },
  (v, path, problems) => {
    const heads = v.heads === DERIVED ? Math.max(1, Math.floor(v.width / 64)) : v.heads;
    const mlpWidth = v.mlpWidth === DERIVED ? 4 * v.width : v.mlpWidth;
    requireDivides(problems, path, 'patchSize', v.patchSize, 'imageSize', v.imageSize);
    requireDivides(problems, path, 'heads', heads, 'width', v.width);
    return { ...v, heads, mlpWidth };
  },
);

export const resNetConfigField: Field<ResNetConfig> = objectField<ResNetConfig>(
  {
    type: oneOf(['resnet'] as const),
    imageSize: withDefault(positive(), 224),
    layers: withDefault(listField(positive(), { minLength: 4, maxLength: 4 }), [3, 4, 6, 3]) as Field<ResNetConfig['layers']>,
    width: withDefault(positive(), 64),
    heads: derivedPositive(),
  },
  (v, path, problems) => {
    const heads = v.heads === DERIVED ? Math.max(1, Math.floor((v.width * 32) / 64)) : v.heads;
    if (v.imageSize % 32 !== 0) problems.push({ path: childPath(path, 'imageSize'), message: 'must be a multiple of 32 (the ResNet downsamples 32x)', value: v.imageSize });
    requireDivides(problems, path, 'heads', heads, 'the attention pool width (width x 32)', v.width * 32);
    return { ...v, heads };
  },
);

export const textTransformerConfigField: Field<TextTransformerConfig> = objectField<TextTransformerConfig>(
  {
    type: oneOf(['transformer'] as const),
    contextLength: withDefault(integerField({ min: 2 }), 77),
    vocabSize: withDefault(positive(), 49408),
    width: withDefault(positive(), 512),
    heads: withDefault(positive(), 8),
    layers: withDefault(positive(), 12),
    mlpWidth: derivedPositive(),
    layerNormEps: layerNormEps(),
    activation: activation(),
    eosTokenId: withDefault(nullable(integerField({ min: 0 })), null),
  },
  (v, path, problems) => {
    requireDivides(problems, path, 'heads', v.heads, 'width', v.width);
    if (v.eosTokenId !== null && v.eosTokenId >= v.vocabSize) {
      problems.push({ path: childPath(path, 'eosTokenId'), message: `must be below vocabSize (${v.vocabSize})`, value: v.eosTokenId });
    }
    return { ...v, mlpWidth: v.mlpWidth === DERIVED ? 4 * v.width : v.mlpWidth };
  },
);

export const modelConfigField: Field<ModelConfig> = objectField<ModelConfig>({
  embedDim: positive(),
  vision: taggedUnion<VitConfig | ResNetConfig>({ vit: vitConfigField, resnet: resNetConfigField }),
  text: taggedUnion<TextTransformerConfig>({ transformer: textTransformerConfigField }),
});

const tokenizerField: Field<TokenizerConfig> = withDefault(
  taggedUnion<TokenizerConfig>({
    'clip-bpe': objectField({ type: oneOf(['clip-bpe'] as const), path: withDefault(nullable(stringField({ nonEmpty: true })), null) }),
  }),
  { type: 'clip-bpe', path: null },
);

const logScale = (initial: number) => withDefault(numberField({ min: 0, max: 20 }), initial);
const lossField: Field<LossConfig> = withDefault(
  taggedUnion<LossConfig>({
    clip: objectField({ type: oneOf(['clip'] as const), logitScale: logScale(Math.log(1 / 0.07)), maxLogitScale: logScale(Math.log(100)) }),
    siglip: objectField({
      type: oneOf(['siglip'] as const),
      logitScale: logScale(Math.log(10)),
      maxLogitScale: logScale(Math.log(100)),
      logitBias: withDefault(numberField({ min: -100, max: 100 }), -10),
      chunkSize: withDefault(nullable(positive()), null),
    }),
  }),
  { type: 'clip', logitScale: Math.log(1 / 0.07), maxLogitScale: Math.log(100) },
);

const threads = () => withDefault(nullable(integerField({ min: 1, max: 1024 })), null);
const backendField: Field<BackendConfig> = withDefault(
  taggedUnion<BackendConfig>({
    tfjs: objectField({ type: oneOf(['tfjs'] as const), device: withDefault(oneOf(['auto', 'tensorflow', 'blas', 'wasm', 'cpu'] as const), 'auto' as const), threads: threads() }),
    onnxruntime: objectField({
      type: oneOf(['onnxruntime'] as const),
      threads: threads(),
      graphOptimization: withDefault(oneOf(['disabled', 'basic', 'extended', 'all'] as const), 'all' as const),
    }),
  }),
  { type: 'tfjs', device: 'auto', threads: null },
);

const dataField: Field<DataConfig> = withDefault(
  taggedUnion<DataConfig>({
    'synthetic-shapes': objectField({
      type: oneOf(['synthetic-shapes'] as const),
      imageSize: withDefault(integerField({ min: 16, max: 1024 }), 32),
      seed: withDefault(integerField({ min: 0 }), 0),
      evalSize: withDefault(positive(), 1000),
    }),
    'fashion-mnist': objectField({ type: oneOf(['fashion-mnist'] as const), path: withDefault(stringField({ nonEmpty: true }), '/usr/share/datasets/fashion-mnist') }),
    'image-text': objectField({
      type: oneOf(['image-text'] as const),
      path: stringField({ nonEmpty: true }),
      file: stringField({ nonEmpty: true }),
      imageKey: withDefault(stringField({ nonEmpty: true }), 'filepath'),
      captionKey: withDefault(stringField({ nonEmpty: true }), 'title'),
      separator: withDefault(stringField({ nonEmpty: true }), '\t'),
      evalFile: withDefault(nullable(stringField({ nonEmpty: true })), null),
    }),
  }),
  { type: 'synthetic-shapes', imageSize: 32, seed: 0, evalSize: 1000 },
);

const trainField: Field<TrainConfig> = withAllDefaults(
  objectField<TrainConfig>(
    {
      batchSize: withDefault(positive(), 64),
      steps: withDefault(nullable(positive()), null),
      epochs: withDefault(positive(), 1),
      lr: withDefault(numberField({ above: 0, max: 10 }), 5e-4),
      schedule: withDefault(oneOf(['cosine', 'constant'] as const), 'cosine' as const),
      warmupSteps: withDefault(integerField({ min: 0 }), 100),
      weightDecay: withDefault(numberField({ min: 0, max: 10 }), 0.2),
      beta1: withDefault(numberField({ min: 0, max: 0.999999 }), 0.9),
      beta2: withDefault(numberField({ min: 0, max: 0.999999 }), 0.98),
      eps: withDefault(numberField({ above: 0, max: 1 }), 1e-6),
      gradClipNorm: withDefault(nullable(numberField({ above: 0 })), null),
      accumulationSteps: withDefault(positive(), 1),
      seed: withDefault(integerField({ min: 0 }), 0),
      logEvery: withDefault(positive(), 20),
      evalEvery: withDefault(nullable(positive()), null),
      checkpointEvery: withDefault(nullable(positive()), null),
    },
    (v, path, problems) => {
      if (v.batchSize % v.accumulationSteps !== 0) {
        problems.push({ path: childPath(path, 'accumulationSteps'), message: `must divide batchSize (${v.batchSize})`, value: v.accumulationSteps });
      }
      return v;
    },
  ),
);

/** The whole clipkit config; `model` may be in clipkit's, open_clip's or Hugging Face's form. */
export function clipConfigField(model: Field<ModelConfig>): Field<ClipConfig> {
  return objectField<ClipConfig>({
    model,
    tokenizer: tokenizerField,
    loss: lossField,
    backend: backendField,
    data: dataField,
    train: trainField,
  });
}
