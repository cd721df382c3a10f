import { ClipkitError } from '@clipkit/core';
import * as ort from 'onnxruntime-node';
import type { Tower } from '../tower.js';

/** Names the towers' inputs and outputs go by: clipkit's and torch.onnx exports, and Hugging Face Optimum's. */
const IO_NAMES: Readonly<Record<Tower, { input: string; output: string }>> = {
  image: { input: 'pixel_values', output: 'image_embeds' },
  text: { input: 'input_ids', output: 'text_embeds' },
};

/**
 * Optimum's text_model.onnx may take an attention mask. CLIP's pooled token (end of text) attends only to
 * earlier tokens under the causal mask, so masking the padding after it changes nothing: it is fed ones.
 */
const ATTENTION_MASK = 'attention_mask';

/** A loaded tower session and how to feed it. */
export interface TowerSession {
  readonly session: ort.InferenceSession;
  readonly input: ort.InferenceSession.TensorValueMetadata;
  readonly output: ort.InferenceSession.TensorValueMetadata;
  /** Inputs besides the main one that are fed all ones (the attention mask). */
  readonly onesInputs: readonly ort.InferenceSession.TensorValueMetadata[];
}

/** What the config says the tower takes and returns: checked against the file's declared shapes. */
export interface TowerShape {
  /** Dimensions after the batch axis of the main input: [3, S, S] or [L]. */
  readonly input: readonly number[];
  readonly embedDim: number;
}

function tensorValue(path: string, value: ort.InferenceSession.ValueMetadata): ort.InferenceSession.TensorValueMetadata {
  if (!value.isTensor) throw new ClipkitError(`${path}: "${value.name}" is not a tensor; clipkit runs ONNX towers whose inputs and outputs are tensors`);
  return value;
}

/** The value called `preferred`, else the only candidate; an error listing the names otherwise. */
function pick(path: string, values: readonly ort.InferenceSession.ValueMetadata[], preferred: string, what: string): ort.InferenceSession.TensorValueMetadata {
  const value = values.find((v) => v.name === preferred) ?? (values.length === 1 ? values[0] : undefined);
  if (!value) throw new ClipkitError(`${path}: cannot tell which ${what} to use: expected "${preferred}" or a single one, found ${values.map((v) => `"${v.name}"`).join(', ')}`);
  return tensorValue(path, value);
}

/** Checks the declared fixed dimensions (symbolic ones, such as the batch, are free) against the config. */
function checkShape(path: string, value: ort.InferenceSession.TensorValueMetadata, expected: readonly number[], field: string): void {
  const declared = value.shape;
  if (declared.length === 0) return; // shape not recorded in the file
  const fits = declared.length === expected.length + 1 && expected.every((d, i) => typeof declared[i + 1] !== 'number' || declared[i + 1] === d);
  if (!fits) {
    throw new ClipkitError(
      `${path}: "${value.name}" has shape [${declared.join(', ')}], but the model config implies [batch, ${expected.join(', ')}]; check ${field} in the model directory's config`,
    );
  }
}

/**
 * An onnxruntime session for one tower, created on first use (loading a model takes a moment, and a
 * pipeline may never encode images). Input and output names are read from the model.
 */
export class OnnxTowerSession {
  private loading: Promise<TowerSession> | undefined;

  constructor(
    readonly path: string,
    private readonly tower: Tower,
    private readonly shape: TowerShape,
    private readonly options: ort.InferenceSession.SessionOptions,
  ) {}

  load(): Promise<TowerSession> {
    this.loading ??= this.create();
    return this.loading;
  }

  private async create(): Promise<TowerSession> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(this.path, this.options);
    } catch (error) {
      throw new ClipkitError(`${this.path}: onnxruntime cannot load the model: ${(error as Error).message}`);
    }
    const names = IO_NAMES[this.tower];
    const mainInputs = session.inputMetadata.filter((v) => v.name !== ATTENTION_MASK);
    const input = pick(this.path, mainInputs, names.input, 'input');
    const output = pick(this.path, session.outputMetadata, names.output, 'output');
    const onesInputs = session.inputMetadata.filter((v) => v.name !== input.name).map((v) => tensorValue(this.path, v));
    const unknown = onesInputs.find((v) => v.name !== ATTENTION_MASK);
    if (unknown)
      throw new ClipkitError(
        `${this.path}: the model has an input "${unknown.name}" that clipkit does not know how to feed (it feeds ${names.input}${this.tower === 'text' ? ` and ${ATTENTION_MASK}` : ''})`,
      );
    checkShape(this.path, input, this.shape.input, this.tower === 'image' ? 'model.vision.imageSize' : 'model.text.contextLength');
    checkShape(this.path, output, [this.shape.embedDim], 'model.embedDim');
    return { session, input, output, onesInputs };
  }

  /** Runs the tower on `data` [batch, ...shape.input] and returns the embeddings [batch, embedDim]. */
  async run(data: ort.Tensor.DataType, batch: number): Promise<Float32Array> {
    const { session, input, output, onesInputs } = await this.load();
    const dims = [batch, ...this.shape.input];
    const feeds: Record<string, ort.Tensor> = { [input.name]: new ort.Tensor(input.type, data, dims) };
    for (const value of onesInputs) feeds[value.name] = new ort.Tensor(value.type, ones(value.type, batch * this.shape.input[0]), dims);
    let result: ort.Tensor;
    try {
      result = (await session.run(feeds, [output.name]))[output.name] as ort.Tensor;
    } catch (error) {
      // e.g. a token id beyond the vocabulary: the model and the tokenizer do not belong together.
      throw new ClipkitError(`${this.path}: onnxruntime failed to run the ${this.tower} tower on a batch of ${batch}: ${(error as Error).message}`);
    }
    if (result.type !== 'float32' || result.dims.length !== 2 || result.dims[0] !== batch || result.dims[1] !== this.shape.embedDim) {
      throw new ClipkitError(`${this.path}: "${output.name}" came out ${result.type} [${result.dims.join(', ')}], expected float32 [${batch}, ${this.shape.embedDim}]`);
    }
    return result.data as Float32Array;
  }

  async release(): Promise<void> {
    const loading = this.loading;
    this.loading = undefined;
    if (loading) await (await loading.catch(() => undefined))?.session.release();
  }
}

function ones(type: ort.Tensor.Type, count: number): ort.Tensor.DataType {
  if (type === 'int64') return new BigInt64Array(count).fill(1n);
  if (type === 'int32') return new Int32Array(count).fill(1);
  if (type === 'float32') return new Float32Array(count).fill(1);
  throw new ClipkitError(`an ${ATTENTION_MASK} of type ${type} is not supported (int64, int32 or float32)`);
}
