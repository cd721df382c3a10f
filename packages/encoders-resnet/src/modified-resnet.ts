import { ClipkitError, type SeededRandom, type TrainableImageEncoder } from '@clipkit/core';
import { Layer } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { AttentionPool2d } from './attention-pool-2d.js';
import { averagePool } from './average-pool.js';
import { BatchNorm2d } from './batch-norm-2d.js';
import { Bottleneck, EXPANSION } from './bottleneck.js';
import { Conv2d } from './conv2d.js';
import type { ResNetConfig } from './resnet-schema.js';

/**
 * OpenAI CLIP's ModifiedResNet (clip/model.py): a 3-convolution stem (the first at stride 2) with an average
 * pool, four stages of anti-aliased Bottlenecks, and an attention pool to embedDim. State-dict names are
 * OpenAI's without the `visual.` prefix (`conv1.weight`, `layer1.0.bn1.running_mean`, `attnpool.q_proj.weight`).
 *
 * Inputs are NCHW as in PyTorch; they are transposed once to NHWC, the layout tfjs convolves on wasm and cpu.
 */
export class ModifiedResNet extends Layer implements TrainableImageEncoder {
  readonly imageSize: number;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  /** OpenAI's layer1 ... layer4: the Bottlenecks of each stage. */
  readonly stages: readonly (readonly Bottleneck[])[];
  readonly attnpool: AttentionPool2d;

  constructor(
    readonly config: ResNetConfig,
    readonly embedDim: number,
    rng: SeededRandom,
  ) {
    super();
    const { imageSize, width, heads, layers } = config;
    const featureWidth = width * 32;
    if (imageSize % 32 !== 0)
      throw new ClipkitError(
        `ModifiedResNet: imageSize ${imageSize} is not a multiple of 32 (the tower downsamples 32x); use e.g. ${Math.max(32, Math.round(imageSize / 32) * 32)}`,
      );
    if (featureWidth % heads !== 0)
      throw new ClipkitError(`ModifiedResNet: heads ${heads} does not divide the attention pool width ${featureWidth} (width x 32); use e.g. ${featureWidth / 64} heads`);
    this.imageSize = imageSize;
    const half = Math.floor(width / 2);
    this.conv1 = this.addChild('conv1', new Conv2d(3, half, 3, rng, { stride: 2, padding: 1 }));
    this.bn1 = this.addChild('bn1', new BatchNorm2d(half));
    this.conv2 = this.addChild('conv2', new Conv2d(half, half, 3, rng, { padding: 1 }));
    this.bn2 = this.addChild('bn2', new BatchNorm2d(half));
    this.conv3 = this.addChild('conv3', new Conv2d(half, width, 3, rng, { padding: 1 }));
    this.bn3 = this.addChild('bn3', new BatchNorm2d(width));
    let inplanes = width;
    this.stages = layers.map((blocks, i) => {
      const planes = width * 2 ** i;
      return Array.from({ length: blocks }, (_, j) => {
        const block = this.addChild(`layer${i + 1}.${j}`, new Bottleneck(inplanes, planes, i > 0 && j === 0 ? 2 : 1, rng));
        inplanes = planes * EXPANSION;
        return block;
      });
    });
    this.attnpool = this.addChild('attnpool', new AttentionPool2d(imageSize / 32, featureWidth, heads, embedDim, rng));
  }

  /** Pixels [N, 3, S, S] (NCHW) -> image features [N, embedDim]. `training` selects batch statistics and updates the running ones. */
  forward(pixelValues: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const [_N, C, H, W] = pixelValues.shape;
    if (C !== 3 || H !== this.imageSize || W !== this.imageSize) {
      throw new ClipkitError(
        `ModifiedResNet: pixel values have shape [${pixelValues.shape.join(', ')}], expected [N, 3, ${this.imageSize}, ${this.imageSize}]; resize the images to the model's image size`,
      );
    }
    return tf.tidy(() => {
      let x = this.stem(tf.transpose(pixelValues, [0, 2, 3, 1]), training); // [N, S/4, S/4, width]
      for (let i = 0; i < this.stages.length; i++) x = this.stage(i, x, training); // ... [N, S/32, S/32, 32 width]
      return this.attnpool.apply(x); // [N, embedDim]
    });
  }

  encode(pixelValues: tf.Tensor4D): Promise<tf.Tensor2D> {
    return Promise.resolve(this.forward(pixelValues, false));
  }

  /** open_clip's ModifiedResNet.layer_groups: the stem (three convolutions and their BatchNorms), layer1 ... layer4, the attention pool. */
  layerGroups(): string[][] {
    const groups: string[][] = Array.from({ length: this.stages.length + 2 }, () => []);
    for (const name of this.stateDict().keys()) {
      const stage = /^layer(\d+)\./.exec(name);
      groups[stage ? Number(stage[1]) : name.startsWith('attnpool.') ? this.stages.length + 1 : 0].push(name);
    }
    return groups;
  }

  /** The BatchNorm layers of the first `groups` layer groups keep their running statistics (open_clip's lock with freeze_bn_stats). */
  freezeBatchNormStats(groups: number): void {
    if (groups >= 1) for (const bn of [this.bn1, this.bn2, this.bn3]) bn.freeze();
    this.stages.slice(0, Math.max(0, groups - 1)).forEach((stage) => {
      for (const block of stage) block.freezeBatchNormStats();
    });
  }

  /** [N, S, S, 3] (NHWC) -> [N, S/4, S/4, width]: three conv-BN-ReLU (the first at stride 2), then a 2x2 average pool. */
  stem(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let out = x;
      for (const [conv, bn] of [
        [this.conv1, this.bn1],
        [this.conv2, this.bn2],
        [this.conv3, this.bn3],
      ] as const)
        out = tf.relu(bn.apply(conv.apply(out), training));
      return averagePool(out, 2);
    });
  }

  /** Stage `index` (0 for OpenAI's layer1): [N, h, w, c] -> [N, h', w', 4 width 2^index] (NHWC), h' = h / 2 after the first stage. */
  stage(index: number, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => this.stages[index].reduce((out, block) => block.apply(out, training), x));
  }
}
