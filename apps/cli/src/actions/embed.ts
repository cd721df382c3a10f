import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ClipkitError, type ClipModel, type HostTensor, type LoadedClip, type Tokenizer, writeError, writeSafetensors } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { batchesByLength } from '../inference/batches-by-length.js';
import { forEachImageBatch } from '../inference/for-each-image-batch.js';
import { listImageFiles } from '../inference/image-files.js';
import { imagePreprocessor } from '../inference/image-preprocessor.js';
import { readInputIds, readPixelValues } from '../inference/input-tensors.js';
import { openModel } from '../inference/open-model.js';
import { progressBar } from '../inference/progress.js';
import { reportSkippedImages } from '../inference/report-skipped-images.js';

export interface EmbedOptions {
  model: string;
  images?: string[];
  texts?: string;
  pixelValues?: string;
  inputIds?: string;
  out: string;
  batchSize: number;
  backend?: string;
}

/** Rows of [N, E] embeddings gathered batch by batch on the host. */
class HostRows {
  private readonly parts: Float32Array[] = [];
  private rows = 0;
  constructor(private readonly width: number) {}
  async add(embeds: tf.Tensor2D): Promise<void> {
    this.parts.push((await embeds.data()) as Float32Array);
    this.rows += embeds.shape[0];
  }
  toTensor(): HostTensor {
    const data = new Float32Array(this.rows * this.width);
    let offset = 0;
    for (const part of this.parts) {
      data.set(part, offset);
      offset += part.length;
    }
    return { dtype: 'F32', shape: [this.rows, this.width], data };
  }
}

async function hostTensor(t: tf.Tensor2D): Promise<HostTensor> {
  return { dtype: 'F32', shape: [...t.shape], data: (await t.data()) as Float32Array };
}

async function embedImageFiles(loaded: LoadedClip, paths: string[], batchSize: number): Promise<{ embeds: HostTensor; files: string[] }> {
  const listed = listImageFiles(paths);
  const transform = await imagePreprocessor(loaded);
  const rows = new HostRows(loaded.model.embedDim);
  const files: string[] = [];
  const unreadable = await forEachImageBatch(listed.files, transform, batchSize, async (pixelValues, batch) => {
    const embeds = await loaded.model.encodeImage(pixelValues, { batchSize });
    await rows.add(embeds);
    embeds.dispose();
    files.push(...batch);
  });
  reportSkippedImages([...listed.skipped, ...unreadable], files.length);
  return { embeds: rows.toTensor(), files };
}

/** One text per line; the newline ending the last line does not start another text. */
async function readTexts(file: string): Promise<string[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new ClipkitError(`--texts ${file}: cannot read the file (${(error as Error).message})`);
  }
  const lines = content.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw new ClipkitError(`--texts ${file} is empty; write one text per line`);
  return lines;
}

/**
 * Texts embedded in batches of similar token counts (batchesByLength: a batch computes only up to its longest
 * text), the rows put back in the file's order.
 */
async function embedTexts(model: ClipModel, tokenizer: Tokenizer, texts: readonly string[], batchSize: number): Promise<HostTensor> {
  const width = model.embedDim;
  const data = new Float32Array(texts.length * width);
  const progress = progressBar(texts.length, batchSize, 'texts');
  try {
    for (const batch of batchesByLength(
      texts.map((text) => tokenizer.encode(text).length),
      batchSize,
    )) {
      const ids = model.tokenize(
        tokenizer,
        batch.map((i) => texts[i]),
      );
      const embeds = await model.encodeText(ids, { batchSize });
      ids.dispose();
      const rows = (await embeds.data()) as Float32Array; // [batch.length, width]
      embeds.dispose();
      for (const [row, i] of batch.entries()) data.set(rows.subarray(row * width, (row + 1) * width), i * width);
      progress.advance(batch.length);
    }
  } finally {
    progress.stop();
  }
  return { dtype: 'F32', shape: [texts.length, width], data };
}

/** Embeds a tensor read from a file, on the host; frees the tensor and the embeddings. */
async function encodeTensor<T extends tf.Tensor>(input: T, encode: (t: T) => Promise<tf.Tensor2D>): Promise<HostTensor> {
  try {
    const embeds = await encode(input);
    try {
      return await hostTensor(embeds);
    } finally {
      embeds.dispose();
    }
  } finally {
    input.dispose();
  }
}

/**
 * The id that fills `--input-ids` rows shorter than the context length: the tokenizer's (SigLIP's 1), which is
 * read only then, so full rows need no tokenizer files.
 */
function padIdFor(ids: tf.Tensor2D, loaded: LoadedClip): number | undefined {
  return ids.shape[1] < loaded.model.textEncoder.contextLength ? loaded.tokenizer.padId : undefined;
}

function checkOptions(options: EmbedOptions): void {
  if (options.images && options.pixelValues) throw new ClipkitError('give either --images or --pixel-values, not both');
  if (options.texts && options.inputIds) throw new ClipkitError('give either --texts or --input-ids, not both');
  if (!options.images && !options.pixelValues && !options.texts && !options.inputIds) {
    throw new ClipkitError('nothing to embed: give --images or --pixel-values, and/or --texts or --input-ids');
  }
}

/** `clipkit embed`: image and text embeddings (and their logits) of a model, to a safetensors file. */
export async function embed(options: EmbedOptions): Promise<void> {
  checkOptions(options);
  const { batchSize } = options;
  const loaded = await openModel(options.model, { backend: options.backend, fastRuntime: true });
  try {
    const { model } = loaded;
    const out = new Map<string, HostTensor>();
    const metadata: Record<string, string> = { format: 'pt', model: existsSync(options.model) ? resolve(options.model) : options.model };
    if (options.images) {
      const { embeds, files } = await embedImageFiles(loaded, options.images, batchSize);
      out.set('image_embeds', embeds);
      metadata.images = JSON.stringify(files);
    } else if (options.pixelValues) {
      out.set('image_embeds', await encodeTensor(await readPixelValues(options.pixelValues, model.imageEncoder.imageSize), (t) => model.encodeImage(t, { batchSize })));
    }
    if (options.texts) {
      out.set('text_embeds', await embedTexts(model, loaded.tokenizer, await readTexts(options.texts), batchSize));
    } else if (options.inputIds) {
      out.set(
        'text_embeds',
        await encodeTensor(await readInputIds(options.inputIds, model.textEncoder.contextLength), (t) => model.encodeText(t, { batchSize, padId: padIdFor(t, loaded) })),
      );
    }
    const images = out.get('image_embeds');
    const texts = out.get('text_embeds');
    if (images && texts) {
      const [imageEmbeds, textEmbeds] = [images, texts].map((t) => tf.tensor2d(t.data as Float32Array, t.shape as [number, number]));
      const { logitsPerImage, logitsPerText } = model.logits(imageEmbeds, textEmbeds);
      out.set('logits_per_image', await hostTensor(logitsPerImage));
      out.set('logits_per_text', await hostTensor(logitsPerText));
      tf.dispose([imageEmbeds, textEmbeds, logitsPerImage, logitsPerText]);
    }
    await mkdir(dirname(resolve(options.out)), { recursive: true }).catch((error) => {
      throw writeError(options.out, error);
    });
    await writeSafetensors(options.out, out, metadata);
    console.log(`wrote ${options.out}: ${[...out].map(([name, t]) => `${name} [${t.shape.join(', ')}]`).join(', ')}`);
  } finally {
    await loaded.dispose();
  }
}
