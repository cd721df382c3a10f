import type { SeededRandom } from '@clipkit/core';
import { Layer } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { averagePool } from './average-pool.js';
import { BatchNorm2d } from './batch-norm-2d.js';
import { Conv2d } from './conv2d.js';

/** Output channels per bottleneck channel (OpenAI's `Bottleneck.expansion`). */
export const EXPANSION = 4;

/**
 * OpenAI CLIP's anti-aliased Bottleneck (clip/model.py): 1x1, 3x3, 1x1 convolutions with BatchNorm, every
 * convolution at stride 1, and an average pool before the last one when the block downsamples. The shortcut
 * downsamples the same way (avgpool, 1x1 conv, BatchNorm) whenever the stride or the width changes.
 */
export class Bottleneck extends Layer {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  /** `downsample.0` (conv) and `downsample.1` (BatchNorm); null when the shortcut is the identity. */
  readonly downsample: { conv: Conv2d; bn: BatchNorm2d } | null;

  constructor(
    readonly inplanes: number,
    readonly planes: number,
    readonly stride: number,
    rng: SeededRandom,
  ) {
    super();
    const outplanes = planes * EXPANSION;
    this.conv1 = this.addChild('conv1', new Conv2d(inplanes, planes, 1, rng));
    this.bn1 = this.addChild('bn1', new BatchNorm2d(planes));
    this.conv2 = this.addChild('conv2', new Conv2d(planes, planes, 3, rng, { padding: 1 }));
    this.bn2 = this.addChild('bn2', new BatchNorm2d(planes));
    this.conv3 = this.addChild('conv3', new Conv2d(planes, outplanes, 1, rng));
    this.bn3 = this.addChild('bn3', new BatchNorm2d(outplanes));
    // CLIP.initialize_parameters zeroes every bn3.weight, so each block starts as its shortcut.
    tf.tidy(() => this.bn3.weight.assign(tf.zeros([outplanes])));
    this.downsample =
      stride > 1 || inplanes !== outplanes
        ? { conv: this.addChild('downsample.0', new Conv2d(inplanes, outplanes, 1, rng)), bn: this.addChild('downsample.1', new BatchNorm2d(outplanes)) }
        : null;
  }

  /** [N, H, W, inplanes] -> [N, H/stride, W/stride, 4 planes] */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let out = tf.relu(this.bn1.apply(this.conv1.apply(x), training)); // [N, H, W, planes]
      out = tf.relu(this.bn2.apply(this.conv2.apply(out), training));
      out = this.bn3.apply(this.conv3.apply(this.pool(out)), training); // [N, H/s, W/s, 4 planes]
      const identity = this.downsample ? this.downsample.bn.apply(this.downsample.conv.apply(this.pool(x)), training) : x;
      return tf.relu(tf.add<tf.Tensor4D>(out, identity));
    });
  }

  /** Every BatchNorm of the block, the shortcut's included, keeps its running statistics. */
  freezeBatchNormStats(): void {
    for (const bn of [this.bn1, this.bn2, this.bn3, this.downsample?.bn]) bn?.freeze();
  }

  /** nn.AvgPool2d(stride): a stride x stride mean, or nothing at stride 1. */
  private pool(x: tf.Tensor4D): tf.Tensor4D {
    return this.stride > 1 ? averagePool(x, this.stride) : x;
  }
}
