import { ClipkitError, type ImageEncoder } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import type { InferenceSession } from 'onnxruntime-node';
import { OnnxTowerSession } from './onnx-tower-session.js';

export interface OnnxImageEncoderOptions {
  /** Input side in pixels (square), as the model config says. */
  imageSize: number;
  /** Width of the embeddings. */
  embedDim: number;
  /** onnxruntime session options (threads, graph optimisation); see sessionOptions. Default: onnxruntime's. */
  sessionOptions?: InferenceSession.SessionOptions;
}

/**
 * An image tower in an .onnx file (clipkit's export-onnx, torch.onnx, Hugging Face Optimum) run by
 * onnxruntime-node: tfjs pixel values in, tfjs embeddings out. The session is created on first use,
 * or by `init()`.
 */
export class OnnxImageEncoder implements ImageEncoder {
  readonly imageSize: number;
  readonly embedDim: number;
  private readonly tower: OnnxTowerSession;

  constructor(
    readonly path: string,
    options: OnnxImageEncoderOptions,
  ) {
    this.imageSize = options.imageSize;
    this.embedDim = options.embedDim;
    this.tower = new OnnxTowerSession(path, 'image', { input: [3, this.imageSize, this.imageSize], embedDim: this.embedDim }, options.sessionOptions ?? {});
  }

  /** Loads the model now (otherwise the first encode does), checking its inputs and outputs against the config. */
  async init(): Promise<void> {
    await this.tower.load();
  }

  async encode(pixelValues: tf.Tensor4D): Promise<tf.Tensor2D> {
    const [batch, channels, height, width] = pixelValues.shape;
    if (channels !== 3 || height !== this.imageSize || width !== this.imageSize) {
      throw new ClipkitError(
        `OnnxImageEncoder (${this.path}): pixel values have shape [${pixelValues.shape.join(', ')}], expected [N, 3, ${this.imageSize}, ${this.imageSize}]; resize the images to the model's image size`,
      );
    }
    const { input } = await this.tower.load();
    if (input.type !== 'float32') throw new ClipkitError(`OnnxImageEncoder (${this.path}): the model takes "${input.name}" as ${input.type}; clipkit feeds float32 pixel values`);
    const pixels = (await pixelValues.data()) as Float32Array;
    return tf.tensor2d(await this.tower.run(pixels, batch), [batch, this.embedDim]);
  }

  /** Releases the onnxruntime session. */
  async dispose(): Promise<void> {
    await this.tower.release();
  }
}
