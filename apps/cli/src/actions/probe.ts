import { ClipkitError, type HostTensor, type LabelledRows, type LoadedClip, l2Normalize, linearProbe, SeededRandom, writeSafetensors } from '@clipkit/core';
import { type ImageFolder, readImageFolder } from '@clipkit/datasets';
import type { ClipImageTransform } from '@clipkit/images';
import * as tf from '@tensorflow/tfjs-core';
import { forEachImageBatch } from '../inference/for-each-image-batch.js';
import { imagePreprocessor } from '../inference/image-preprocessor.js';
import { openModel } from '../inference/open-model.js';
import { reportSkippedImages } from '../inference/report-skipped-images.js';

export interface ProbeOptions {
  model: string;
  train: string;
  test: string;
  valFraction: number;
  maxIterations: number;
  batchSize: number;
  backend?: string;
  json?: boolean;
  features?: string;
}

/**
 * The L2-normalised image embeddings [images, embedDim] of a folder's readable images, through the model's own
 * transform, and their labels; unreadable images are left out and reported.
 */
async function folderFeatures(loaded: LoadedClip, folder: ImageFolder, transform: ClipImageTransform, batchSize: number): Promise<LabelledRows> {
  const dim = loaded.model.embedDim;
  const labelOf = new Map(folder.images.map((image) => [image.image, image.label]));
  const data = new Float32Array(folder.images.length * dim);
  const labels: number[] = [];
  const unreadable = await forEachImageBatch(
    folder.images.map((image) => image.image),
    transform,
    batchSize,
    async (pixels, files) => {
      const embeds = await loaded.model.encodeImage(pixels, { batchSize });
      const normalised = l2Normalize(embeds);
      data.set(normalised.dataSync(), labels.length * dim);
      labels.push(...files.map((file) => labelOf.get(file)!));
      tf.dispose([embeds, normalised]);
    },
  );
  reportSkippedImages([...folder.skipped, ...unreadable], labels.length);
  return { rows: { data: data.subarray(0, labels.length * dim), count: labels.length, dim }, labels: Int32Array.from(labels) };
}

/** A seeded random `fraction` of the rows held out for validation, the rest kept for training. */
function splitValidation(all: LabelledRows, fraction: number): { train: LabelledRows; validation: LabelledRows } {
  const { count, dim } = all.rows;
  const order = new SeededRandom(0).fork('linear probe validation').permutation(count);
  const held = Math.round(count * fraction);
  if (held < 1 || held >= count) throw new ClipkitError(`--val-fraction ${fraction} of ${count} training images leaves no validation or no training image`);
  const take = (indices: Int32Array): LabelledRows => {
    const data = new Float32Array(indices.length * dim);
    indices.forEach((i, n) => {
      data.set(all.rows.data.subarray(i * dim, (i + 1) * dim), n * dim);
    });
    return { rows: { data, count: indices.length, dim }, labels: Int32Array.from(indices, (i) => all.labels[i]) };
  };
  return { validation: take(order.subarray(0, held)), train: take(order.subarray(held)) };
}

/** The features and labels as safetensors (train_features, train_labels, test_features, test_labels), to check or reuse elsewhere. */
async function writeFeatures(file: string, features: { all: LabelledRows; test: LabelledRows }): Promise<void> {
  const tensors = new Map<string, HostTensor>();
  for (const [name, rows] of [
    ['train', features.all],
    ['test', features.test],
  ] as const) {
    tensors.set(`${name}_features`, { dtype: 'F32', shape: [rows.rows.count, rows.rows.dim], data: Float32Array.from(rows.rows.data) });
    tensors.set(`${name}_labels`, { dtype: 'I32', shape: [rows.rows.count], data: rows.labels });
  }
  await writeSafetensors(file, tensors);
}

/**
 * `clipkit probe`: the CLIP paper's linear probe of a model's frozen image features: L2-normalised embeddings of
 * the --train folder's images (a validation split held out) and the --test folder's, an L-BFGS logistic
 * regression with its L2 strength chosen on the validation split, refitted on all training images and scored
 * on the test images.
 */
export async function probe(options: ProbeOptions): Promise<void> {
  const trainFolder = readImageFolder(options.train);
  const testFolder = readImageFolder(options.test);
  if (testFolder.folders.join('\n') !== trainFolder.folders.join('\n')) {
    throw new ClipkitError(
      `--test ${options.test} has the class folders ${testFolder.folders.join(', ')}, --train ${options.train} ${trainFolder.folders.join(', ')}: both must hold the same classes`,
    );
  }
  const loaded = await openModel(options.model, { backend: options.backend });
  let features: { all: LabelledRows; test: LabelledRows };
  try {
    const transform = await imagePreprocessor(loaded);
    console.error(`probe: embedding ${trainFolder.images.length} training and ${testFolder.images.length} test images`);
    features = { all: await folderFeatures(loaded, trainFolder, transform, options.batchSize), test: await folderFeatures(loaded, testFolder, transform, options.batchSize) };
  } finally {
    await loaded.dispose();
  }
  if (options.features) await writeFeatures(options.features, features);
  const { train, validation } = splitValidation(features.all, options.valFraction);
  const classes = trainFolder.classNames.length;
  const result = linearProbe(train, validation, features.test, classes, {
    maxIterations: options.maxIterations,
    onFit: (c, accuracy, fit) => console.error(`probe: C ${c.toPrecision(3)}: validation accuracy ${(accuracy * 100).toFixed(2)}% (${fit.iterations} L-BFGS iterations)`),
  });
  if (options.json) {
    const { c, validationAccuracy, testAccuracy, sweep } = result;
    console.log(
      JSON.stringify(
        { model: options.model, classes, train: train.rows.count, validation: validation.rows.count, test: features.test.rows.count, c, validationAccuracy, testAccuracy, sweep },
        null,
        2,
      ),
    );
    return;
  }
  console.log(
    `linear probe (${classes} classes; ${train.rows.count} training, ${validation.rows.count} validation, ${features.test.rows.count} test images): ` +
      `test accuracy ${(result.testAccuracy * 100).toFixed(2)}% at C ${result.c.toPrecision(3)} (validation ${(result.validationAccuracy * 100).toFixed(2)}%)`,
  );
}
