import { ClipkitError, type TextEncoder } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import type { InferenceSession } from 'onnxruntime-node';
import { OnnxTowerSession } from './onnx-tower-session.js';

export interface OnnxTextEncoderOptions {
  /** Tokens per text, as the model config says. */
  contextLength: number;
  /** Width of the embeddings. */
  embedDim: number;
  /** onnxruntime session options (threads, graph optimisation); see sessionOptions. Default: onnxruntime's. */
  sessionOptions?: InferenceSession.SessionOptions;
}

/**
 * A text tower in an .onnx file run by onnxruntime-node: tfjs int32 token ids in (passed as int64, which
 * every CLIP export takes), tfjs embeddings out. The session is created on first use, or by `init()`.
 */
export class OnnxTextEncoder implements TextEncoder {
  readonly contextLength: number;
  readonly embedDim: number;
  private readonly tower: OnnxTowerSession;

  constructor(
    readonly path: string,
    options: OnnxTextEncoderOptions,
  ) {
    this.contextLength = options.contextLength;
    this.embedDim = options.embedDim;
    this.tower = new OnnxTowerSession(path, 'text', { input: [this.contextLength], embedDim: this.embedDim }, options.sessionOptions ?? {});
  }

  /** Loads the model now (otherwise the first encode does), checking its inputs and outputs against the config. */
  async init(): Promise<void> {
    await this.tower.load();
  }

  async encode(inputIds: tf.Tensor2D): Promise<tf.Tensor2D> {
    const [batch, length] = inputIds.shape;
    if (length !== this.contextLength) {
      throw new ClipkitError(
        `OnnxTextEncoder (${this.path}): token ids have shape [${inputIds.shape.join(', ')}], expected [N, ${this.contextLength}]; tokenize to the model's context length`,
      );
    }
    const { input } = await this.tower.load();
    const ids = await inputIds.data();
    const data = input.type === 'int64' ? BigInt64Array.from(ids, (id) => BigInt(id)) : input.type === 'int32' ? Int32Array.from(ids) : undefined;
    if (!data) throw new ClipkitError(`OnnxTextEncoder (${this.path}): the model takes "${input.name}" as ${input.type}; clipkit feeds token ids as int64 or int32`);
    return tf.tensor2d(await this.tower.run(data, batch), [batch, this.embedDim]);
  }

  /** Releases the onnxruntime session. */
  async dispose(): Promise<void> {
    await this.tower.release();
  }
}
