import { type ModelConfig, type ResNetConfig, type TextTransformerConfig, type VitConfig, WeightsError } from '@clipkit/core';

/**
 * A tower's weights by OpenAI/open_clip state-dict name (`visual.conv1.weight`, `token_embedding.weight`),
 * float32, row-major in PyTorch's layout. The exporter needs nothing else: no tfjs tower.
 */
export type TowerWeights = ReadonlyMap<string, Float32Array>;

export type Tower = 'image' | 'text';

/** OpenAI CLIP nests the image tower under `visual.`. */
export const VISUAL = 'visual.';

type Shapes = Map<string, readonly number[]>;

function addLayerNorm(shapes: Shapes, name: string, width: number): void {
  shapes.set(`${name}.weight`, [width]);
  shapes.set(`${name}.bias`, [width]);
}

/** clip/model.py Transformer: `layers` ResidualAttentionBlocks under `prefix`. */
function addTransformer(shapes: Shapes, prefix: string, width: number, layers: number, mlpWidth: number): void {
  for (let i = 0; i < layers; i++) {
    const block = `${prefix}transformer.resblocks.${i}.`;
    shapes.set(`${block}attn.in_proj_weight`, [3 * width, width]);
    shapes.set(`${block}attn.in_proj_bias`, [3 * width]);
    shapes.set(`${block}attn.out_proj.weight`, [width, width]);
    shapes.set(`${block}attn.out_proj.bias`, [width]);
    addLayerNorm(shapes, `${block}ln_1`, width);
    addLayerNorm(shapes, `${block}ln_2`, width);
    shapes.set(`${block}mlp.c_fc.weight`, [mlpWidth, width]);
    shapes.set(`${block}mlp.c_fc.bias`, [mlpWidth]);
    shapes.set(`${block}mlp.c_proj.weight`, [width, mlpWidth]);
    shapes.set(`${block}mlp.c_proj.bias`, [width]);
  }
}

function vitShapes(vision: VitConfig, embedDim: number): Shapes {
  const { width, patchSize, imageSize } = vision;
  const shapes: Shapes = new Map();
  shapes.set(`${VISUAL}conv1.weight`, [width, 3, patchSize, patchSize]);
  shapes.set(`${VISUAL}class_embedding`, [width]);
  shapes.set(`${VISUAL}positional_embedding`, [(imageSize / patchSize) ** 2 + 1, width]);
  addLayerNorm(shapes, `${VISUAL}ln_pre`, width);
  addTransformer(shapes, VISUAL, width, vision.layers, vision.mlpWidth);
  addLayerNorm(shapes, `${VISUAL}ln_post`, width);
  shapes.set(`${VISUAL}proj`, [width, embedDim]);
  return shapes;
}

function addBatchNorm(shapes: Shapes, name: string, channels: number): void {
  for (const part of ['weight', 'bias', 'running_mean', 'running_var']) shapes.set(`${name}.${part}`, [channels]);
}

/** The stride-1 first block of layer1 and the first block of each later stage (stride 2) have a downsample branch. */
export function resnetStages(vision: ResNetConfig): { planes: number; blocks: number; stride: number; inplanes: number }[] {
  let inplanes = vision.width;
  return vision.layers.map((blocks, i) => {
    const planes = vision.width * 2 ** i;
    const stage = { planes, blocks, stride: i === 0 ? 1 : 2, inplanes };
    inplanes = planes * 4;
    return stage;
  });
}

function resnetShapes(vision: ResNetConfig, embedDim: number): Shapes {
  const { width, imageSize } = vision;
  const shapes: Shapes = new Map();
  shapes.set(`${VISUAL}conv1.weight`, [width / 2, 3, 3, 3]);
  addBatchNorm(shapes, `${VISUAL}bn1`, width / 2);
  shapes.set(`${VISUAL}conv2.weight`, [width / 2, width / 2, 3, 3]);
  addBatchNorm(shapes, `${VISUAL}bn2`, width / 2);
  shapes.set(`${VISUAL}conv3.weight`, [width, width / 2, 3, 3]);
  addBatchNorm(shapes, `${VISUAL}bn3`, width);
  resnetStages(vision).forEach(({ planes, blocks, stride, inplanes }, stage) => {
    for (let b = 0; b < blocks; b++) {
      const block = `${VISUAL}layer${stage + 1}.${b}.`;
      const input = b === 0 ? inplanes : planes * 4;
      shapes.set(`${block}conv1.weight`, [planes, input, 1, 1]);
      addBatchNorm(shapes, `${block}bn1`, planes);
      shapes.set(`${block}conv2.weight`, [planes, planes, 3, 3]);
      addBatchNorm(shapes, `${block}bn2`, planes);
      shapes.set(`${block}conv3.weight`, [planes * 4, planes, 1, 1]);
      addBatchNorm(shapes, `${block}bn3`, planes * 4);
      if (b === 0 && (stride > 1 || input !== planes * 4)) {
        shapes.set(`${block}downsample.0.weight`, [planes * 4, input, 1, 1]);
        addBatchNorm(shapes, `${block}downsample.1`, planes * 4);
      }
    }
  });
  const features = width * 32;
  shapes.set(`${VISUAL}attnpool.positional_embedding`, [(imageSize / 32) ** 2 + 1, features]);
  for (const proj of ['q_proj', 'k_proj', 'v_proj']) {
    shapes.set(`${VISUAL}attnpool.${proj}.weight`, [features, features]);
    shapes.set(`${VISUAL}attnpool.${proj}.bias`, [features]);
  }
  shapes.set(`${VISUAL}attnpool.c_proj.weight`, [embedDim, features]);
  shapes.set(`${VISUAL}attnpool.c_proj.bias`, [embedDim]);
  return shapes;
}

function textShapes(text: TextTransformerConfig, embedDim: number): Shapes {
  const { width, contextLength } = text;
  const shapes: Shapes = new Map();
  shapes.set('token_embedding.weight', [text.vocabSize, width]);
  shapes.set('positional_embedding', [contextLength, width]);
  addTransformer(shapes, '', width, text.layers, text.mlpWidth);
  addLayerNorm(shapes, 'ln_final', width);
  shapes.set('text_projection', [width, embedDim]);
  return shapes;
}

/** Every weight of a tower, by OpenAI name, with the shape the config implies. */
export function towerWeightShapes(model: ModelConfig, tower: Tower): ReadonlyMap<string, readonly number[]> {
  if (tower === 'text') return textShapes(model.text, model.embedDim);
  return model.vision.type === 'vit' ? vitShapes(model.vision, model.embedDim) : resnetShapes(model.vision, model.embedDim);
}

/** Throws one WeightsError listing every weight of the tower that is missing or has the wrong number of values. */
export function checkTowerWeights(model: ModelConfig, tower: Tower, weights: TowerWeights): void {
  const problems: string[] = [];
  for (const [name, shape] of towerWeightShapes(model, tower)) {
    const values = weights.get(name);
    const count = shape.reduce((n, d) => n * d, 1);
    if (!values) problems.push(`  - missing: "${name}" [${shape.join(', ')}]`);
    else if (values.length !== count) problems.push(`  - misshaped: "${name}" has ${values.length} values, the config implies [${shape.join(', ')}] = ${count}`);
  }
  if (problems.length > 0) {
    throw new WeightsError(
      `cannot export the ${tower} tower: its weights do not fit the config (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.join('\n')}`,
    );
  }
}
